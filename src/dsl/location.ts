// Where a DSL call was written: the first stack frame outside the DSL, mapped through the
// source map that the TypeScript loader gives.

import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../core/diagnostic.ts';

const DSL_DIR = fileURLToPath(new URL('.', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?\/[^():]+?):(\d+):(\d+)\)?$/;

/** The first frame of a stack (outside node_modules) that `accept` takes. */
export function stackLocation(stack: string, accept: (file: string) => boolean): SourceLocation | undefined {
  for (const frame of stack.split('\n')) {
    const m = FRAME.exec(frame.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.includes('/node_modules/') || !accept(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * Where the DSL function that calls this was called from. A Targetfile calls the DSL once per
 * target (10,000 times in the benchmark), so this takes the V8 call sites as they are and maps
 * only the one frame it returns: a formatted stack (`new Error().stack`) would source-map
 * every frame into a string, and a location sliced from that string would keep it alive.
 */
export function callerLocation(): SourceLocation | undefined {
  for (const site of callSites(callerLocation)) {
    const url = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    // Node's own modules (node:...) and code without a file (eval) are nobody's declaration.
    if (!url || line === null || column === null || !(url.startsWith('file://') || url.startsWith('/'))) continue;
    const at = mapped(url, line, column);
    if (at.file.includes('/node_modules/') || at.file.startsWith(DSL_DIR)) continue;
    return at;
  }
  return undefined;
}

/** The current stack as V8 call sites, above `above`; Error.stackTraceLimit frames at most. */
function callSites(above: (...args: never[]) => unknown): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, sites) => sites;
  try {
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, above);
    return holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = saved;
  }
}

/** A generated position in its source file, as node's source-mapped stack traces print it. */
function mapped(url: string, line: number, column: number): SourceLocation {
  const entry = findSourceMap(url)?.findEntry(line - 1, column - 1);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    return { file: pathOf(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return { file: pathOf(url), line, column };
}

/** One string per file, shared by all of its locations. */
const paths = new Map<string, string>();

function pathOf(source: string): string {
  let path = paths.get(source);
  if (path === undefined) {
    // A loader tells module instances apart by a query (`?mkimage-load=2`): not part of the file.
    path = source.startsWith('file://') ? fileURLToPath(source.replace(/[?#].*$/, '')) : source.replace(/[?#].*$/, '');
    paths.set(source, path);
  }
  return path;
}
