// Pins a reference to the line that names it: from a declaration's line on, the first line
// that holds the name in quotes. A stack trace gives the line of the call; this gives the
// line of the prerequisite inside it.

import { readFileSync } from 'node:fs';
import type { SourceLocation } from '../core/diagnostic.ts';

/** How far below the declaration a name is looked for. */
const WINDOW = 60;

export class SourceLines {
  private readonly files = new Map<string, string[]>();

  lineNaming(from: SourceLocation | undefined, name: string, stopAt = /\b(?:target|distro|mixin|alias)\(/): SourceLocation | undefined {
    if (!from) return undefined;
    const lines = this.lines(from.file);
    const quoted = [`'${name}'`, `"${name}"`, `\`${name}\``];
    for (let i = from.line - 1; i < Math.min(lines.length, from.line + WINDOW); i++) {
      if (i > from.line - 1 && stopAt.test(lines[i]!)) break;
      if (quoted.some((q) => lines[i]!.includes(q))) return { file: from.file, line: i + 1 };
    }
    return undefined;
  }

  private lines(file: string): string[] {
    let lines = this.files.get(file);
    if (!lines) {
      try {
        lines = readFileSync(file, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      this.files.set(file, lines);
    }
    return lines;
  }
}
