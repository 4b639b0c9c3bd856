// Checking an entry against its name: its stored manifest must hash to the digest, and the
// tree on disk must still scan to that manifest.

import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../core/ids.ts';
import { errnoCode } from './errors.ts';
import type { StoredManifest, StoreLayout } from './store-layout.ts';
import { describeChanges, diffManifests } from './tree-diff.ts';
import { scanTree, treeDigest, type TreeManifest } from './tree.ts';

export type CorruptReason =
  /** manifest.json is gone: the entry cannot be checked nor restored faithfully. */
  | 'manifest-missing'
  /** manifest.json is not valid JSON of a manifest. */
  | 'manifest-unreadable'
  /** The entry has no tree/ dir. */
  | 'tree-missing'
  /** The stored manifest does not hash to the entry's name. */
  | 'manifest-mismatch'
  /** The tree on disk no longer hashes to the entry's name. */
  | 'content-changed';

export interface Corruption {
  readonly digest: Digest;
  readonly reason: CorruptReason;
  /** Human detail: the first paths that changed, the error met. */
  readonly detail: string;
}

export interface VerifyResult {
  readonly checked: number;
  readonly corrupt: readonly Corruption[];
}

/** Why the entry is corrupt, or undefined when it is whole. */
export async function checkEntry(layout: StoreLayout, digest: Digest): Promise<Omit<Corruption, 'digest'> | undefined> {
  const dir = layout.entryDir(digest);
  let stored: StoredManifest;
  try {
    stored = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as StoredManifest;
    if (!Array.isArray(stored.entries)) throw new Error('no entries');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { reason: 'manifest-missing', detail: 'manifest.json is missing' };
    return { reason: 'manifest-unreadable', detail: `manifest.json: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (treeDigest(stored) !== digest) return { reason: 'manifest-mismatch', detail: `manifest.json hashes to ${treeDigest(stored)}` };
  if (!(await exists(join(dir, 'tree')))) return { reason: 'tree-missing', detail: 'tree/ is missing' };
  let actual: TreeManifest;
  try {
    actual = await scanTree(join(dir, 'tree'));
  } catch (err) {
    return { reason: 'content-changed', detail: err instanceof Error ? err.message : String(err) };
  }
  if (treeDigest(actual) === digest) return undefined;
  return { reason: 'content-changed', detail: describeChanges(diffManifests(stored, actual)) };
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
