// Human sizes for store limits (`--max-size 20G`); sizes are printed by src/ui/format.ts.

// K, M, G, T and the IEC forms are powers of 1024 (as du, mkosi and systemd read them);
// only the explicit SI forms KB, MB, GB, TB are powers of 1000.
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 2 ** 10, ki: 2 ** 10, kib: 2 ** 10, kb: 1e3,
  m: 2 ** 20, mi: 2 ** 20, mib: 2 ** 20, mb: 1e6,
  g: 2 ** 30, gi: 2 ** 30, gib: 2 ** 30, gb: 1e9,
  t: 2 ** 40, ti: 2 ** 40, tib: 2 ** 40, tb: 1e12,
};

/** Bytes in `500M`, `2G`, `1.5GiB`, `1024`, `10KiB`; undefined if `text` is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  return Math.floor(Number(m[1]) * unit);
}
