// What the store holds, entry by entry, without reading a manifest of 50k lines: the listing
// that `cache ls` prints and gc sorts.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, type Digest } from '../core/ids.ts';
import { mtimeOf, readJson, type StoreLayout } from './store-layout.ts';

export interface EntryInfo {
  readonly digest: Digest;
  /** Regular-file bytes, hardlinks counted once (the manifest's `bytes`). */
  readonly bytes: number;
  /** Stored from an overlay over this entry: the files it did not change are that entry's. */
  readonly base?: Digest;
  /** With base: bytes of the files it has of its own. */
  readonly ownBytes?: number;
  readonly files: number;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** ms since the epoch: the mtime of the entry's `used` file. */
  readonly lastUsedAt: number;
}

export async function listEntries(layout: StoreLayout): Promise<EntryInfo[]> {
  const out: EntryInfo[] = [];
  for (const name of (await readdir(layout.trees)).sort()) {
    if (!isDigest(name)) continue;
    const dir = layout.entryDir(name);
    const info = (await readJson(join(dir, 'info.json'))) ?? (await readJson(join(dir, 'manifest.json')));
    const rec = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
    const created = typeof rec.createdAt === 'number' ? rec.createdAt : mtimeOf(dir);
    if (created === undefined) continue; // evicted meanwhile
    out.push({
      digest: name,
      bytes: typeof rec.bytes === 'number' ? rec.bytes : 0,
      files: typeof rec.files === 'number' ? rec.files : 0,
      createdAt: created,
      lastUsedAt: mtimeOf(join(dir, 'used')) ?? created,
      ...(typeof rec.base === 'string' && isDigest(rec.base) && { base: rec.base }),
      ...(typeof rec.ownBytes === 'number' && { ownBytes: rec.ownBytes }),
    });
  }
  return out;
}
