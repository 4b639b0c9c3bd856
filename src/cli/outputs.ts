// Copies the goals' outputs out of the store into the output directory, so that nothing a
// person does to out/ can reach the cache. A plain target's output becomes out/<target>/;
// an image's output files (server-mini.iso) land in out/ itself. An output already there
// with the same digest is left alone; a new one replaces the old by rename, never
// half-written. Outputs that do not fit are refused before anything is copied; a copy that
// fails anyway (a full disk, a read-only mount) is a Diagnostic, leaves the old outputs in
// place and no partial copy behind.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { Digest, TargetId } from '../core/ids.ts';
import type { LocalStore } from '../cache/local-store.ts';
import { formatBytes } from '../ui/format.ts';
import { directoryProblem, freeSpace, mayShareBlocks, neededVsFree, writeFailure, writeFileAtomically, type Footprint } from './writable.ts';

const MARKER = '.mkimage-outputs.json';
const SPACE_HINT = '--out DIR elsewhere, or free space';

export interface Materialized {
  readonly goal: TargetId;
  /** The paths written or already up to date. */
  readonly paths: readonly string[];
  readonly copied: boolean;
}

export interface Output {
  readonly goal: TargetId;
  readonly digest: Digest;
  readonly layout: 'dir' | 'files';
}

export async function materialize(store: LocalStore, outDir: string, outputs: readonly Output[]): Promise<Result<Materialized[]>> {
  if (outputs.length === 0) return ok([]);
  const cannot = (why: string, hint?: string): Result<never> => fail({ message: `cannot write outputs to ${outDir}: ${why}`, ...(hint !== undefined && { hint }) });
  const unusable = await directoryProblem(outDir);
  if (unusable !== undefined) return cannot(unusable, '--out DIR names a writable directory');
  const markerPath = join(outDir, MARKER);
  let marker: Record<string, string> = {};
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Record<string, string>;
  } catch {
    // No outputs yet, or a marker we cannot read: copy everything.
  }
  const planned = outputs.map(({ goal, digest, layout }) => {
    const paths = layout === 'dir' ? [join(outDir, goal)] : readdirSync(store.treePath(digest)).map((name) => join(outDir, name));
    return { goal, digest, layout, paths, current: marker[goal] === digest && paths.every((p) => existsSync(p)) };
  });
  const stale = planned.filter((p) => !p.current);
  const needed = await footprint(stale.map((p) => store.treePath(p.digest)));
  const tooBig = stale.length > 0 && (await spaceProblem(store.root, outDir, needed));
  if (tooBig) return cannot(tooBig, SPACE_HINT);

  await removeAbandonedCopies(outDir);
  const fresh = join(outDir, `${FRESH_PREFIX}${process.pid}`);
  const done: Materialized[] = [];
  try {
    for (const { goal, digest, layout, paths, current } of planned) {
      if (current) {
        done.push({ goal, paths, copied: false });
        continue;
      }
      await rm(fresh, { recursive: true, force: true });
      const copy = await store.restore(digest, fresh, 'copy');
      await copy.dispose();
      if (layout === 'dir') replace(fresh, paths[0]!);
      else for (const path of paths) replace(join(fresh, path.slice(outDir.length + 1)), path);
      await rm(fresh, { recursive: true, force: true });
      marker[goal] = digest;
      writeFileAtomically(markerPath, JSON.stringify(marker, null, 1));
      done.push({ goal, paths, copied: true });
    }
    return ok(done);
  } catch (err) {
    const failure = writeFailure(err);
    if (!failure) throw err;
    // The partial copy goes first: what is free after it is what the person can act on.
    await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
    if (!failure.noSpace) return cannot(failure.words);
    const free = await freeSpace(outDir).catch(() => undefined);
    if (!free) return cannot(failure.words, SPACE_HINT);
    // The estimate said it fits (many small files or directories, which take more than their bytes).
    const fitted = needed.bytes <= free.bytes && (free.inodes === undefined || needed.inodes <= free.inodes);
    const figures = fitted ? `copying ${needed.inodes} files and directories, ${formatBytes(free.bytes)} free without them` : neededVsFree(needed, free);
    return cannot(`${failure.words} (${figures})`, SPACE_HINT);
  }
}

/**
 * Why outputs of `needed` size do not fit in `outDir`, or false. An old output being replaced
 * stays until its successor is complete, so it frees nothing meanwhile.
 */
async function spaceProblem(storeRoot: string, outDir: string, needed: Required<Footprint>): Promise<string | false> {
  if (await mayShareBlocks(storeRoot, outDir)) return false;
  const free = await freeSpace(outDir);
  return (needed.bytes > free.bytes || (free.inodes !== undefined && needed.inodes > free.inodes)) && neededVsFree(needed, free);
}

/**
 * What copies of the trees take: the blocks of their files as stored (a sparse file's holes
 * cost nothing; a hardlinked inode counts once) and their inodes. Directories' blocks are left
 * out (tmpfs has none), so this errs low: a copy that fits is never refused, and one that
 * does not fit after all fails as a Diagnostic too.
 */
async function footprint(trees: readonly string[]): Promise<Required<Footprint>> {
  const seen = new Set<string>();
  let bytes = 0;
  for (const tree of new Set(trees)) {
    const paths = [tree, ...(await readdir(tree, { recursive: true })).map((name) => join(tree, name))];
    for (let i = 0; i < paths.length; i += 256) {
      for (const s of await Promise.all(paths.slice(i, i + 256).map((p) => lstat(p)))) {
        const inode = `${s.dev}:${s.ino}`;
        if (seen.has(inode)) continue;
        seen.add(inode);
        if (!s.isDirectory()) bytes += s.blocks * 512;
      }
    }
  }
  return { bytes, inodes: seen.size };
}

const FRESH_PREFIX = '.mkimage-new-';

/** Partial copies of runs that were killed outright (their process is gone): they go. */
async function removeAbandonedCopies(outDir: string): Promise<void> {
  for (const name of readdirSync(outDir)) {
    const pid = name.startsWith(FRESH_PREFIX) ? Number(name.slice(FRESH_PREFIX.length)) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) await rm(join(outDir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
  try {
    renameSync(from, to);
  } catch (e) {
    renameSync(old, to);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

