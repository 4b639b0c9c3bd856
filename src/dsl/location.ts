// Where a DSL call was written: the first stack frame outside the DSL, read from the
// source-mapped stack that the TypeScript loader gives.

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

export function callerLocation(): SourceLocation | undefined {
  return stackLocation(new Error().stack ?? '', (file) => !file.startsWith(DSL_DIR));
}
