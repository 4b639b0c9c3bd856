// Copies the goals' outputs out of the store into the output directory, so that nothing a
// person does to out/ can reach the cache. An output already there with the same digest is
// left alone; a new one replaces the old by rename, never half-written.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Digest, TargetId } from '../core/ids.ts';
import type { LocalStore } from '../cache/local-store.ts';

const MARKER = '.mkimage-outputs.json';

export async function materialize(store: LocalStore, outDir: string, outputs: ReadonlyArray<readonly [TargetId, Digest]>): Promise<string[]> {
  if (outputs.length === 0) return [];
  mkdirSync(outDir, { recursive: true });
  const markerPath = join(outDir, MARKER);
  let marker: Record<string, string> = {};
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Record<string, string>;
  } catch {
    // No outputs yet, or a marker we cannot read: copy everything.
  }
  const lines: string[] = [];
  for (const [goal, digest] of outputs) {
    const dest = join(outDir, goal);
    if (marker[goal] === digest && existsSync(dest)) continue;
    mkdirSync(dirname(dest), { recursive: true });
    const fresh = `${dest}.mkimage-new-${process.pid}`;
    const old = `${dest}.mkimage-old-${process.pid}`;
    await rm(fresh, { recursive: true, force: true });
    const copy = await store.restore(digest, fresh, 'copy');
    await copy.dispose?.();
    if (existsSync(dest)) renameSync(dest, old);
    renameSync(fresh, dest);
    await rm(old, { recursive: true, force: true });
    marker[goal] = digest;
    writeFileSync(`${markerPath}.tmp`, JSON.stringify(marker, null, 1));
    renameSync(`${markerPath}.tmp`, markerPath);
    lines.push(`output   ${goal} -> ${dest}`);
  }
  return lines;
}
