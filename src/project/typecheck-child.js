// The TypeScript compiler's half of typecheck.ts, run in a process of its own: a program over
// the profiles and the DSL takes ~130 MB, which the build's own process then never holds.
// Reads {"files": [...]} on stdin; writes {"error"?: Diagnostic, "reads": [...]} on stdout.
//
// Plain JavaScript: it is started with node alone, with no TypeScript loader.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const DSL_INDEX = fileURLToPath(new URL('../dsl/index.ts', import.meta.url));

/** Bump CHECK_VERSION in typecheck.ts when these change: a clean result under other options proves nothing. */
const OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [fileURLToPath(new URL('../../node_modules/@types', import.meta.url))],
  paths: { mkimage: [DSL_INDEX] },
};

const { files } = JSON.parse(readFileSync(0, 'utf8'));
const mine = new Set(files);
const program = ts.createProgram({ rootNames: files, options: OPTIONS, host: ts.createCompilerHost(OPTIONS) });
const found = ts
  .getPreEmitDiagnostics(program)
  .find((d) => d.category === ts.DiagnosticCategory.Error && (!d.file || mine.has(d.file.fileName)));
// The other files outside node_modules the check read: mkimage's DSL and what it imports.
const reads = program
  .getSourceFiles()
  .map((f) => f.fileName)
  .filter((f) => !mine.has(f) && !f.split('/').includes('node_modules'));
process.stdout.write(JSON.stringify({ ...(found && { error: toDiagnostic(found) }), reads }));

function toDiagnostic(d) {
  const message = `type error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code})`;
  if (!d.file || d.start === undefined) return { message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { message, at: { file: d.file.fileName, line: line + 1, column: character + 1 } };
}
