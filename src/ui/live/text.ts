// Text for a terminal cell grid: measured in columns, cut to a width. What a tool printed is
// made safe to draw first (core/output-tail.ts: no escapes, no control characters).

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

/** The first line of a message (a failure's headline). */
export function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? '';
}
