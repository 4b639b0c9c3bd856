// Type-checks a project's profile files (the Targetfile, conf.d/, features/) with the
// TypeScript compiler: the loader only strips types, so a wrong type would otherwise pass
// silently. The result is cached by the files' content, so an unchanged project pays once.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type ts from 'typescript';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../core/diagnostic.ts';

const DSL_INDEX = fileURLToPath(new URL('../dsl/index.ts', import.meta.url));

/** The compiler is large (a third of a second to load): it is loaded only on a cache miss. */
const TS_VERSION = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;

const OPTIONS = (t: typeof ts): ts.CompilerOptions => ({
  target: t.ScriptTarget.ES2022,
  module: t.ModuleKind.NodeNext,
  moduleResolution: t.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [fileURLToPath(new URL('../../node_modules/@types', import.meta.url))],
  paths: { mkimage: [DSL_INDEX] },
});

/**
 * The first type error in the given files (not in mkimage's own sources), or undefined.
 * `cacheFile` remembers the content hash of files that checked clean.
 */
export async function typecheck(files: readonly string[], cacheFile?: string): Promise<Diagnostic | undefined> {
  const key = createHash('sha256').update(TS_VERSION);
  for (const f of [...files].sort()) key.update(`${f}\0`).update(readFileSync(f)).update('\0');
  const digest = key.digest('hex');
  if (cacheFile && existsSync(cacheFile) && readFileSync(cacheFile, 'utf8') === digest) return undefined;

  const ts = (await import('typescript')).default;
  const options = OPTIONS(ts);
  const program = ts.createProgram({ rootNames: [...files], options, host: ts.createCompilerHost(options) });
  const mine = new Set(files);
  const found = ts
    .getPreEmitDiagnostics(program)
    .find((d) => d.category === ts.DiagnosticCategory.Error && (!d.file || mine.has(d.file.fileName)));
  if (found) return toDiagnostic(ts, found);
  if (cacheFile) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, digest);
  }
  return undefined;
}

function toDiagnostic(ts: typeof import('typescript'), d: ts.Diagnostic): Diagnostic {
  const message = `type error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code})`;
  if (!d.file || d.start === undefined) return { message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { message, at: { file: d.file.fileName, line: line + 1, column: character + 1 } };
}
