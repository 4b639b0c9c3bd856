// What changed inside a declared value, said the way a person would look for it: the key
// path of each difference with its old and new value (`HOSTNAME: "web" -> "www"`), the lines
// added to and removed from a multi-line string, the part of a long string around the first
// difference. --explain prints these instead of the whole value cut short.

/** At most this many differences per value; the rest are counted. */
const MAX_DIFFERENCES = 6;
/** Longer strings are shown around their first difference. */
const MAX_SHOWN = 60;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The differences between two canonical JSON texts; `[]` when they are equal. */
export function valueDiff(before: string, after: string): string[] {
  if (before === after) return [];
  const out: string[] = [];
  diff(parse(before), parse(after), '', out);
  if (out.length > MAX_DIFFERENCES) return [...out.slice(0, MAX_DIFFERENCES), `and ${out.length - MAX_DIFFERENCES} more`];
  return out;
}

function parse(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

const isRecord = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
const label = (path: string) => (path === '' ? '' : `${path}: `);

function diff(a: Json, b: Json, path: string, out: string[]): void {
  if (same(a, b)) return;
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const at = path === '' ? key : `${path}.${key}`;
      if (!(key in a)) out.push(`${at} added: ${show(b[key]!)}`);
      else if (!(key in b)) out.push(`${at} removed (was ${show(a[key]!)})`);
      else diff(a[key]!, b[key]!, at, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length) {
      a.forEach((item, i) => diff(item, b[i]!, `${path}[${i}]`, out));
      return;
    }
    out.push(`${label(path)}${members(a.map((x) => show(x)), b.map((x) => show(x)))}`);
    return;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.includes('\n') || b.includes('\n')) out.push(`${label(path)}${members(a.split('\n').map(quote), b.split('\n').map(quote))}`);
    else out.push(`${label(path)}${window(a, b)}`);
    return;
  }
  out.push(`${label(path)}${show(a)} -> ${show(b)}`);
}

/** A list (or a string's lines) as what was added and removed: `+ "nginx", - "apache2"`. */
function members(a: readonly string[], b: readonly string[]): string {
  const before = new Set(a);
  const after = new Set(b);
  const added = b.filter((x) => !before.has(x)).map((x) => `+ ${x}`);
  const removed = a.filter((x) => !after.has(x)).map((x) => `- ${x}`);
  const changes = [...added, ...removed];
  return changes.length > 0 ? changes.join(', ') : 'reordered';
}

/** Two strings, each cut to the part around their first difference. */
function window(a: string, b: string): string {
  if (a.length <= MAX_SHOWN && b.length <= MAX_SHOWN) return `${quote(a)} -> ${quote(b)}`;
  let first = 0;
  while (first < a.length && a[first] === b[first]) first++;
  const from = Math.max(0, first - 20);
  const cut = (s: string) => `${from > 0 ? '...' : ''}${s.slice(from, from + MAX_SHOWN - 20)}${s.length > from + MAX_SHOWN - 20 ? '...' : ''}`;
  return `${quote(cut(a))} -> ${quote(cut(b))}`;
}

const quote = (s: string) => JSON.stringify(s);

function show(v: Json): string {
  const s = JSON.stringify(v);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 3)}...` : s;
}
