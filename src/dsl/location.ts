// Where a DSL call was written: the first stack frame outside the DSL, read from the
// source-mapped stack that the TypeScript loader gives.

import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../core/diagnostic.ts';

const DSL_DIR = fileURLToPath(new URL('.', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?\/[^():]+?):(\d+):(\d+)\)?$/;

export function callerLocation(): SourceLocation | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const frame of stack) {
    const m = FRAME.exec(frame.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(DSL_DIR) || file.includes('/node_modules/')) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
