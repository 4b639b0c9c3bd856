// Type-checks a project's profile files (the Targetfile, conf.d/, features/) with the
// TypeScript compiler: the loader only strips types, so a wrong type would otherwise pass
// silently. A clean result is cached by the content of every file the check read, so an
// unchanged project pays once and never loads the compiler again.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../core/diagnostic.ts';

const CHILD = fileURLToPath(new URL('./typecheck-child.js', import.meta.url));

const require = createRequire(import.meta.url);
const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;

/** Bump when typecheck-child.js's compiler options change: a clean result under other options proves nothing. */
const CHECK_VERSION = '3';

/** What a clean check is remembered by. */
interface CleanCheck {
  /** Hash of the compiler, its options (typecheck-child.js), and the path and content of the profiles and of `reads`. */
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

  // The compiler is large (a third of a second to load, ~130 MB for the program): only a
  // miss runs it, and in a process of its own.
  const checked = await checkInChild(files);
  if (checked.error) return checked.error;
  if (cacheFile) {
    const digest = digestOf(files, checked.reads);
    if (digest) writeClean(cacheFile, { digest, reads: checked.reads });
  }
  return undefined;
}

interface ChildResult {
  readonly error?: Diagnostic;
  readonly reads: readonly string[];
}

function checkInChild(files: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CHILD], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      // Ctrl-C reaches the whole process group: an interrupted check is no internal error.
      if (error && error.signal) resolve({ error: { message: `the type check of the profiles was interrupted (${error.signal})` }, reads: [] });
      else if (error) reject(new Error(`the type-check process failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as ChildResult);
    });
    child.stdin?.end(JSON.stringify({ files }));
  });
}

/** Undefined when a file is gone: then the check runs again. */
function digestOf(files: readonly string[], reads: readonly string[]): string | undefined {
  const key = createHash('sha256').update(`${CHECK_VERSION}\0${version('typescript')}\0${version('@types/node')}\0`);
  try {
    for (const f of [...new Set([CHILD, ...files, ...reads])].sort()) key.update(`${f}\0`).update(readFileSync(f)).update('\0');
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
