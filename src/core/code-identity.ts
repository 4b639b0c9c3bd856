// The code a recipe runs, as named parts of its fingerprint: the source of a module and of every
// module it imports, transitively, and the version of each package they import. A recipe that
// lives in mkimage's own sources (an image stage) is then rebuilt when, and only when, code it
// runs changed: a flag of its tool, a helper it calls, a package it uses; not the UI, the CLI or
// another stage.
//
// Left out, on purpose: type-only imports (they leave no code), node's built-in modules (the
// runtime), and this engine's own modules (src/core), which FINGERPRINT_SCHEMA stands for.
// Sources are read as they are on disk, once per process: the process runs the code it
// started with (bin/mkimage.js compiles, or runs, exactly the sources it found), so a later
// edit belongs to the next process. Comments count: a changed comment reruns a stage, never
// the other way round.

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: part names are relative to it, so every checkout of one commit agrees. */
const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const ENGINE = fileURLToPath(new URL('./', import.meta.url));

/** Part name -> text: `code src/image/stages/iso.ts` -> its source, `package execa` -> `execa@9.6.1`. */
export type CodeParts = Readonly<Record<string, string>>;

export interface CodeIdentityOptions {
  /** How a source file is read (tests give another version of a file). */
  readonly read?: (path: string) => string;
}

const memo = new Map<string, CodeParts>();
/** Stages share most of their modules: each is read once. */
const sources = new Map<string, string>();

function readSource(path: string): string {
  let text = sources.get(path);
  if (text === undefined) sources.set(path, (text = readFileSync(path, 'utf8')));
  return text;
}

/** The code parts of the module at `moduleUrl` (its import.meta.url). */
export function codeParts(moduleUrl: string, options: CodeIdentityOptions = {}): CodeParts {
  const start = fileURLToPath(moduleUrl);
  if (!options.read) {
    const known = memo.get(start);
    if (known) return known;
  }
  const read = options.read ?? readSource;
  const parts: Record<string, string> = {};
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    parts[`code ${relative(CHECKOUT, file)}`] = text;
    for (const specifier of importsOf(text)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(ENGINE)) pending.push(target);
      } else if (!specifier.startsWith('node:')) {
        const name = packageName(specifier);
        parts[`package ${name}`] = `${name}@${packageVersion(name)}`;
      }
    }
  }
  const frozen = Object.freeze(parts);
  if (!options.read) memo.set(start, frozen);
  return frozen;
}

/** Static value imports and re-exports, side-effect imports and dynamic imports of a module. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) if (!m[2]) out.push(m[3]!);
  for (const m of source.matchAll(DYNAMIC_IMPORT)) out.push(m[1]!);
  return out;
}

/**
 * `import x from '…'`, `import { a,\n b } from '…'`, `import * as n from '…'`, `import '…'`,
 * `export { a } from '…'`, `export * from '…'`; group 2 is set for `import type` / `export type`.
 */
const STATIC_IMPORT = /(?:^|[;}\n])\s*(import|export)\s+(type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?['"]([^'"\n]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const versions = new Map<string, string>();

/** The installed version, from node_modules beside the checkout (what the process loads). */
function packageVersion(name: string): string {
  let v = versions.get(name);
  if (v === undefined) {
    try {
      v = String((JSON.parse(readFileSync(join(CHECKOUT, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch {
      v = 'not installed';
    }
    versions.set(name, v);
  }
  return v;
}
