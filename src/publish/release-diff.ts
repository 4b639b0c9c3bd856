// What moved between two releases of an edition: packages added, removed and moved to another
// version (from the images' manifests), the lock's lines, and each image's size.

import { diffPackages, type PackageChanges } from '../image/package-diff.ts';
import type { ReleaseRecord } from './release-record.ts';

export interface ReleaseDiff {
  readonly packages: PackageChanges<ReleaseRecord['packages'][number]>;
  /** Lines of mkimage.lock only one of the two has. */
  readonly lock: { readonly added: number; readonly removed: number };
  readonly images: ReadonlyArray<{ readonly path: string; readonly from?: number; readonly to?: number }>;
}

export function diffReleases(before: ReleaseRecord, after: ReleaseRecord, lockBefore: string, lockAfter: string): ReleaseDiff {
  const lines = (text: string) => new Set(text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')));
  const [a, b] = [lines(lockBefore), lines(lockAfter)];
  const paths = [...new Set([...before.images, ...after.images].map((i) => i.path))].sort();
  return {
    packages: diffPackages(before.packages, after.packages),
    lock: { added: [...b].filter((l) => !a.has(l)).length, removed: [...a].filter((l) => !b.has(l)).length },
    images: paths.map((path) => {
      const from = before.images.find((i) => i.path === path)?.bytes;
      const to = after.images.find((i) => i.path === path)?.bytes;
      return { path, ...(from !== undefined && { from }), ...(to !== undefined && { to }) };
    }),
  };
}

/** The diff in a few lines: `+2 -1 ~3 packages: curl 7.88.1-10 -> 7.88.1-10+mkimage1+b1, ...`. */
export function formatReleaseDiff(d: ReleaseDiff, bytes: (n: number) => string, most = 8): string[] {
  const p = d.packages;
  const moves = [...p.changed.map((c) => `${c.name} ${c.from} -> ${c.to}`), ...p.added.map((x) => `+${x.name} ${x.version}`), ...p.removed.map((x) => `-${x.name}`)];
  const out = [`packages: +${p.added.length} -${p.removed.length} ~${p.changed.length}${moves.length > 0 ? `: ${moves.slice(0, most).join(', ')}${moves.length > most ? `, and ${moves.length - most} more` : ''}` : ''}`];
  out.push(`lock: ${d.lock.added === 0 && d.lock.removed === 0 ? 'the same' : `+${d.lock.added} -${d.lock.removed} lines`}`);
  for (const i of d.images) out.push(`${i.path}: ${i.from === undefined ? 'new' : bytes(i.from)} -> ${i.to === undefined ? 'gone' : bytes(i.to)}`);
  return out;
}
