// Text for a terminal cell grid: what a tool printed, made safe to draw (no escapes, no
// control characters), measured in columns, cut to a width, and the last lines of a stream
// whose `\r` redraws a line the way a terminal would.

// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?=<>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[@-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Escapes and control characters out, tabs as spaces: one line as the UI may draw it. */
export function sanitize(line: string): string {
  return line.replace(ESCAPES, '').replaceAll('\t', '  ').replace(CONTROLS, '');
}

/** Columns a code point takes: 0 for combining marks, 2 for wide East Asian ones. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns a sanitized string takes. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** At most `max` columns; a cut string ends in `…`. */
export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  if (width(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Cut from the left, keeping the end (paths, ids: the end tells most). */
export function truncateStart(s: string, max: number): string {
  if (max <= 0) return '';
  if (width(s) <= max) return s;
  const chars = [...s];
  let out = '';
  let w = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const cw = charWidth(chars[i]!.codePointAt(0)!);
    if (w + cw > max - 1) break;
    out = chars[i]! + out;
    w += cw;
  }
  return `…${out}`;
}

export function padEnd(s: string, columns: number): string {
  const w = width(s);
  return w >= columns ? s : s + ' '.repeat(columns - w);
}

/** A duration at the precision a live display needs: `7s`, `1m02s`, `1h05m`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Longest line kept: a tool that prints megabytes without a newline cannot fill the memory. */
const MAX_LINE = 1000;

/**
 * Splits a stream of output chunks into lines as a terminal shows them: `\n` ends a line, a
 * lone `\r` starts it over (progress bars redraw in place). Keeps the last `max` lines.
 */
export class TextLines {
  readonly #max: number;
  #lines: string[] = [];
  #partial = '';

  constructor(max: number) {
    this.#max = max;
  }

  push(text: string): void {
    const parts = text.split(/(\r\n|\n|\r)/);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i % 2 === 0) {
        this.#partial = (this.#partial + part).slice(-MAX_LINE);
      } else if (part === '\r') {
        this.#partial = '';
      } else {
        this.#lines.push(sanitize(this.#partial));
        this.#partial = '';
      }
    }
    // Trimmed in batches: a chunk of many short lines costs one splice, not one per line.
    if (this.#lines.length > this.#max * 2) this.#lines = this.#lines.slice(-this.#max);
  }

  /** The last `n` lines (an unfinished last line counts), empty ones left out. */
  last(n: number): string[] {
    const out: string[] = [];
    const partial = sanitize(this.#partial);
    if (partial.trim() !== '') out.push(partial);
    for (let i = this.#lines.length - 1; i >= 0 && out.length < n; i--) {
      if (this.#lines[i]!.trim() !== '') out.unshift(this.#lines[i]!);
    }
    return out.slice(-n);
  }

  /** Every kept line, the unfinished one included. */
  all(): string[] {
    const lines = this.#lines.slice(-this.#max);
    return this.#partial === '' ? lines : [...lines, sanitize(this.#partial)];
  }
}
