// Styled lines: a line is a list of segments, each with an optional style, cut to the
// terminal's width before any escape is added. Colour is ours to give, not chalk's: its
// detection looks at process.stdout (not the stream we draw on) and ignores NO_COLOR, so
// with colour off no escape sequence of any kind is written.

import { truncate, width } from './text.ts';

export type Style = 'bold' | 'dim' | 'inverse' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

export interface Segment {
  readonly text: string;
  readonly style?: Style | readonly Style[];
}

export type Line = readonly Segment[];

const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  inverse: [7, 27],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export const seg = (text: string, style?: Style | readonly Style[]): Segment => (style ? { text, style } : { text });

export function lineWidth(line: Line): number {
  let w = 0;
  for (const s of line) w += width(s.text);
  return w;
}

/** The line cut to `columns`: whole segments while they fit, then the rest of one and `…`. */
export function fit(line: Line, columns: number): Line {
  if (lineWidth(line) <= columns) return line;
  const out: Segment[] = [];
  let left = columns;
  for (const s of line) {
    const w = width(s.text);
    if (w < left) {
      out.push(s);
      left -= w;
      continue;
    }
    out.push({ ...s, text: truncate(s.text, left) });
    break;
  }
  return out;
}

/** Turns segments into terminal text: with colour, SGR sequences; without, the bare text. */
export type Painter = (line: Line) => string;

export function painter(color: boolean): Painter {
  if (!color) return (line) => line.map((s) => s.text).join('');
  return (line) =>
    line
      .map((s) => {
        if (!s.style || s.text === '') return s.text;
        const styles = typeof s.style === 'string' ? [s.style] : s.style;
        const on = styles.map((st) => `\x1b[${SGR[st][0]}m`).join('');
        const off = styles.map((st) => `\x1b[${SGR[st][1]}m`).reverse().join('');
        return on + s.text + off;
      })
      .join('');
}

/** NO_COLOR (https://no-color.org): present and not empty turns colour off. */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR;
}
