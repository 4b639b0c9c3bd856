// Debian version comparison (deb-version(7)): [epoch:]upstream[-revision], compared epoch
// first, then upstream and revision by dpkg's algorithm: alternating non-digit parts (letters
// before non-letters, `~` before everything, even the end) and digit parts (numerically).
// Pure, because a lock check compares thousands of versions; tests hold it to
// `dpkg --compare-versions`.

interface Parts {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

function split(v: string): Parts {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** The weight dpkg gives a character of a non-digit part. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // The non-digit prefix, character by character.
    while ((i < a.length && !isDigit(a[i]!)) || (j < b.length && !isDigit(b[j]!))) {
      const ac = i < a.length && !isDigit(a[i]!) ? a[i] : undefined;
      const bc = j < b.length && !isDigit(b[j]!) ? b[j] : undefined;
      const d = order(ac) - order(bc);
      if (d !== 0) return Math.sign(d);
      if (ac !== undefined) i++;
      if (bc !== undefined) j++;
    }
    // Then the digits, as numbers (leading zeros do not count).
    let an = '';
    let bn = '';
    while (i < a.length && isDigit(a[i]!)) an += a[i++];
    while (j < b.length && isDigit(b[j]!)) bn += b[j++];
    const d = compareDigits(an, bn);
    if (d !== 0) return d;
  }
  return 0;
}

const isDigit = (c: string) => c >= '0' && c <= '9';

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return Math.sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative when a is older than b, 0 when they are the same version, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const x = split(a);
  const y = split(b);
  if (x.epoch !== y.epoch) return Math.sign(x.epoch - y.epoch);
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}
