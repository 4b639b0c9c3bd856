// The last lines of a stream of output chunks, as a terminal would show them: `\n` ends a line,
// a lone `\r` starts it over (progress bars redraw in place), terminal escapes and control
// characters are taken out. What a failure shows of a recipe, a hook or a boot, and what the
// live UI shows of a running target.

// CSI (colours, cursor), OSC (titles, links; ended by BEL or ST), charset selection, the
// two-character Fe escapes, keypad modes and reset.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?=<>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[@-_=>c]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Escapes and control characters out, tabs as spaces: one line as it may be drawn or logged. */
export function sanitize(line: string): string {
  return line.replace(ESCAPES, '').replaceAll('\t', '  ').replace(CONTROLS, '');
}

/** Longest line kept: a tool that prints megabytes without a newline cannot fill the memory. */
const MAX_LINE = 1000;

export class OutputTail {
  readonly #max: number;
  #lines: string[] = [];
  #partial = '';
  /** The last chunk ended in `\r`: a `\n` first in the next one makes it a line end, not a redraw. */
  #cr = false;

  /** Keeps at least the last `max` lines. */
  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: string): void {
    let text = this.#cr ? `\r${chunk}` : chunk;
    this.#cr = text.endsWith('\r');
    if (this.#cr) text = text.slice(0, -1);
    const parts = text.split(/(\r\n|\n|\r)/);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i % 2 === 0) {
        this.#partial = (this.#partial + part).slice(-MAX_LINE);
      } else if (part === '\r') {
        this.#partial = '';
      } else {
        this.#lines.push(sanitize(this.#partial).trimEnd());
        this.#partial = '';
      }
    }
    // Trimmed in batches: a chunk of many short lines costs one splice, not one per line.
    if (this.#lines.length > this.#max * 2) this.#lines = this.#lines.slice(-this.#max);
  }

  /** The last `n` lines (default: as many as kept; an unfinished last line counts), empty ones left out. */
  last(n = this.#max): string[] {
    const out: string[] = [];
    const partial = sanitize(this.#partial).trimEnd();
    if (partial.trim() !== '') out.push(partial);
    for (let i = this.#lines.length - 1; i >= 0 && out.length < n; i--) {
      if (this.#lines[i]!.trim() !== '') out.unshift(this.#lines[i]!);
    }
    return out.slice(-n);
  }

  /** Every kept line, empty ones too, the unfinished one included. */
  all(): string[] {
    const lines = this.#lines.slice(-this.#max);
    return this.#partial === '' ? lines : [...lines, sanitize(this.#partial).trimEnd()];
  }
}
