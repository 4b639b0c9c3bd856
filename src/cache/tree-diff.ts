// What differs between two manifests, path by path and field by field: the detail behind a
// digest mismatch (verify's report, a restore check, "why did this rebuild").

import type { TreeEntry, TreeManifest } from './tree.ts';

export interface EntryChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For 'changed': the manifest fields that differ (`sha256`, `mode`, `mtimeNs`, ...). */
  readonly fields?: readonly string[];
}

export interface DiffOptions {
  /** Compare mtimes too (they are not part of the digest, so off by default). */
  readonly mtimes?: boolean;
}

/** Changes from `before` to `after`, in path order. */
export function diffManifests(before: TreeManifest, after: TreeManifest, options: DiffOptions = {}): EntryChange[] {
  const old = new Map(before.entries.map((e) => [e.path, e]));
  const out: EntryChange[] = [];
  for (const e of after.entries) {
    const o = old.get(e.path);
    old.delete(e.path);
    if (o === undefined) {
      out.push({ path: e.path, change: 'added' });
      continue;
    }
    const fields = changedFields(o, e, options.mtimes ?? false);
    if (fields.length > 0) out.push({ path: e.path, change: 'changed', fields });
  }
  for (const path of old.keys()) out.push({ path, change: 'removed' });
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** One line per change, at most `max` of them: for messages. */
export function describeChanges(changes: readonly EntryChange[], max = 5): string {
  const lines = changes
    .slice(0, max)
    .map((c) => (c.change === 'changed' ? `${c.path}: ${c.fields!.join(', ')} changed` : `${c.path}: ${c.change}`));
  if (changes.length > max) lines.push(`... and ${changes.length - max} more`);
  return lines.join('; ');
}

function changedFields(a: TreeEntry, b: TreeEntry, mtimes: boolean): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  if (!mtimes) keys.delete('mtimeNs');
  const get = (e: TreeEntry, k: string): string => JSON.stringify((e as unknown as Record<string, unknown>)[k]);
  return [...keys].filter((k) => get(a, k) !== get(b, k)).sort();
}
