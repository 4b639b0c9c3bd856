// The last lines of a stream of output chunks: what a failure shows of a hook or a boot.

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>c]/g;

export class LineTail {
  readonly #max: number;
  readonly #lines: string[] = [];
  #partial = '';

  constructor(max: number) {
    this.#max = max;
  }

  push(text: string): void {
    const parts = (this.#partial + text).split(/\r?\n|\r/);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#add(line);
  }

  /** The kept lines, oldest first, without terminal escapes; an unfinished last line too. */
  lines(): string[] {
    const out = [...this.#lines];
    if (this.#partial.trim() !== '') out.push(clean(this.#partial));
    return out.slice(-this.#max);
  }

  #add(line: string): void {
    const l = clean(line);
    if (l.trim() === '') return;
    this.#lines.push(l);
    if (this.#lines.length > this.#max) this.#lines.shift();
  }
}

/** Terminal escapes and other control characters out, for logs and error messages. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(ANSI, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trimEnd();
}
