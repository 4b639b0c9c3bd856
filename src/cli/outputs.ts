// Copies the goals' outputs out of the store into the output directory, so that nothing a
// person does to out/ can reach the cache. A plain target's output becomes out/<target>/;
// an image's output files (server-mini.iso) land in out/ itself. An output already there
// with the same digest is left alone; a new one replaces the old by rename, never
// half-written.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Digest, TargetId } from '../core/ids.ts';
import type { LocalStore } from '../cache/local-store.ts';

const MARKER = '.mkimage-outputs.json';

export interface Materialized {
  readonly goal: TargetId;
  /** The paths written or already up to date. */
  readonly paths: readonly string[];
  readonly copied: boolean;
}

export async function materialize(
  store: LocalStore,
  outDir: string,
  outputs: ReadonlyArray<{ readonly goal: TargetId; readonly digest: Digest; readonly layout: 'dir' | 'files' }>,
): Promise<Materialized[]> {
  if (outputs.length === 0) return [];
  mkdirSync(outDir, { recursive: true });
  const markerPath = join(outDir, MARKER);
  let marker: Record<string, string> = {};
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Record<string, string>;
  } catch {
    // No outputs yet, or a marker we cannot read: copy everything.
  }
  const done: Materialized[] = [];
  for (const { goal, digest, layout } of outputs) {
    const tree = store.treePath(digest);
    const paths = layout === 'dir' ? [join(outDir, goal)] : readdirSync(tree).map((name) => join(outDir, name));
    if (marker[goal] === digest && paths.every((p) => existsSync(p))) {
      done.push({ goal, paths, copied: false });
      continue;
    }
    const fresh = join(outDir, `.mkimage-new-${process.pid}`);
    await rm(fresh, { recursive: true, force: true });
    const copy = await store.restore(digest, fresh, 'copy');
    await copy.dispose();
    if (layout === 'dir') replace(fresh, paths[0]!);
    else {
      for (const path of paths) replace(join(fresh, path.slice(outDir.length + 1)), path);
      await rm(fresh, { recursive: true, force: true });
    }
    marker[goal] = digest;
    writeFileSync(`${markerPath}.tmp`, JSON.stringify(marker, null, 1));
    renameSync(`${markerPath}.tmp`, markerPath);
    done.push({ goal, paths, copied: true });
  }
  return done;
}

/** Puts `from` at `to`: a file by one rename, a directory by moving the old one aside first. */
function replace(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const old = `${to}.mkimage-old-${process.pid}`;
  try {
    renameSync(from, to);
    return;
  } catch (e) {
    if (!['EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  renameSync(to, old);
  renameSync(from, to);
  rmSync(old, { recursive: true, force: true });
}
