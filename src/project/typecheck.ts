// Type-checks a project's profile files (the Targetfile, conf.d/, features/) with the
// TypeScript compiler: the loader only strips types, so a wrong type would otherwise pass
// silently. A clean result is cached by the content of every file the check read, so an
// unchanged project pays once and never loads the compiler again.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type ts from 'typescript';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../core/diagnostic.ts';

const DSL_INDEX = fileURLToPath(new URL('../dsl/index.ts', import.meta.url));

const require = createRequire(import.meta.url);
const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;

/** Bump when OPTIONS change: a clean result under other options proves nothing. */
const CHECK_VERSION = '2';

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

/** What a clean check is remembered by. */
interface CleanCheck {
  /** Hash of the compiler, these options, and the path and content of the profiles and of `reads`. */
  readonly digest: string;
  /**
   * The other files outside node_modules the check read: mkimage's DSL and whatever it imports,
   * types included (a type-only import leaves no trace at run time). Packages count by version.
   */
  readonly reads: readonly string[];
}

/**
 * The first type error in the given files (not in mkimage's own sources), or undefined.
 * `cacheFile` remembers a clean check.
 */
export async function typecheck(files: readonly string[], cacheFile?: string): Promise<Diagnostic | undefined> {
  const cached = cacheFile ? readClean(cacheFile) : undefined;
  if (cached && digestOf(files, cached.reads) === cached.digest) return undefined;

  // The compiler is large (a third of a second to load): only a miss loads it.
  const ts = (await import('typescript')).default;
  const options = OPTIONS(ts);
  const program = ts.createProgram({ rootNames: [...files], options, host: ts.createCompilerHost(options) });
  const mine = new Set(files);
  const found = ts
    .getPreEmitDiagnostics(program)
    .find((d) => d.category === ts.DiagnosticCategory.Error && (!d.file || mine.has(d.file.fileName)));
  if (found) return toDiagnostic(ts, found);
  if (cacheFile) {
    const reads = program
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => !mine.has(f) && !f.split('/').includes('node_modules'));
    const digest = digestOf(files, reads);
    if (digest) writeClean(cacheFile, { digest, reads });
  }
  return undefined;
}

/** Undefined when a file is gone: then the check runs again. */
function digestOf(files: readonly string[], reads: readonly string[]): string | undefined {
  const key = createHash('sha256').update(`${CHECK_VERSION}\0${version('typescript')}\0${version('@types/node')}\0`);
  try {
    for (const f of [...new Set([...files, ...reads])].sort()) key.update(`${f}\0`).update(readFileSync(f)).update('\0');
  } catch {
    return undefined;
  }
  return key.digest('hex');
}

function readClean(file: string): CleanCheck | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CleanCheck>;
    return typeof parsed.digest === 'string' && Array.isArray(parsed.reads) ? (parsed as CleanCheck) : undefined;
  } catch {
    // Absent, or written by an older mkimage (a bare digest): check again.
    return undefined;
  }
}

function writeClean(file: string, check: CleanCheck): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.typecheck-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, `${JSON.stringify(check)}\n`);
  renameSync(tmp, file);
}

function toDiagnostic(ts: typeof import('typescript'), d: ts.Diagnostic): Diagnostic {
  const message = `type error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code})`;
  if (!d.file || d.start === undefined) return { message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { message, at: { file: d.file.fileName, line: line + 1, column: character + 1 } };
}
