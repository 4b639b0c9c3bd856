// The store's figures on a ~500 MB tree of small files: hashing it (scan), publishing it
// (put), and making it appear elsewhere by each restore method, against `cp -a` of the same
// tree measured in the same run. The page cache is warm throughout (it cannot be dropped
// here), so these are CPU and metadata costs, the same for the store and for cp.
//
// Nothing large is deleted until every copy has been measured: on a filesystem mounted with
// `discard` (this machine's ext4 is), deleting 500 MB makes block allocation slow for a while
// after (measured: cp -a 2 s with no delete before it, 8-45 s right after one), which would
// penalise whichever copy came next.

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore, RESTORE_METHODS, scanTree, type RestoreMethod } from '../src/cache/index.ts';
import { ROOTFS_LIKE, writeTree } from './generate.ts';
import { execOk } from './exec.ts';
import { progress, round, settle, timed, toMb, type Report } from './measure.ts';
import type { TempDirs } from './temp.ts';

/** Runs of each copying measurement; the fastest is the least disturbed by other processes. */
const RUNS = 2;

export async function storeFigures(report: Report, parent: TempDirs): Promise<void> {
  // Scratch dirs and restores are undone before the store is closed, then its dir removed.
  const temp = parent.child();
  try {
    const store = await LocalStore.open(temp.dir('store'));
    temp.defer(() => store.dispose());
    const source = await store.scratch('bench-tree');
    temp.defer(() => source.dispose());
    const tree = join(source.dir, 'tree');
    mkdirSync(tree);
    progress('store: writing a ~500 MB tree');
    const written = writeTree(tree, ROOTFS_LIKE);
    await settle();
    const size = { bytes: written.bytes, files: written.files, symlinks: written.symlinks, dirs: written.dirs };
    const mbPerS = (ms: number) => round(written.bytes / (1 << 20) / (ms / 1000));

    progress('store: scan');
    const scans = [await timed(() => scanTree(tree)), await timed(() => scanTree(tree))];
    const scan = scans.reduce((a, b) => (b.ms < a.ms ? b : a));
    report({
      bench: 'store.scan',
      ...size,
      ms: round(scan.ms),
      ms_runs: scans.map((s) => round(s.ms)),
      mb_per_s: mbPerS(scan.ms),
      entries: scan.value.entries.length,
      rss_mb: toMb(scan.rss),
    });

    // A second copy of the tree, in the store's scratch too, for a put that finds its digest
    // stored already (measured last: it deletes 500 MB).
    progress('store: put');
    const twin = await store.scratch('bench-twin');
    temp.defer(() => twin.dispose());
    await execOk('cp', ['-a', tree, join(twin.dir, 'tree')]);
    await settle();
    const fresh = await timed(() => store.put(tree));
    // Beyond hashing (store.scan), put publishes a new tree (manifest, rename) or, if the
    // digest is stored already, deletes the duplicate before returning.
    const putFigure = (p: typeof fresh) => ({
      bench: 'store.put',
      ...size,
      existed: p.value.existed,
      ms: round(p.ms),
      mb_per_s: mbPerS(p.ms),
      beyond_scan_ms: round(p.ms - scan.ms),
      rss_mb: toMb(p.rss),
    });
    report(putFigure(fresh));
    await settle();
    const digest = fresh.value.digest;
    const stored = store.treePath(digest);
    const topLevel = readdirSync(stored).length;

    const area = await store.scratch('bench-restore');
    temp.defer(() => area.dispose());
    /** Copies kept until every copy is measured, then removed (timed) in the same order. */
    const copies: { path: string; rmMs?: number }[] = [];
    const cpRuns: { ms: number; copy: (typeof copies)[number] }[] = [];
    // cp -a of the stored tree, before each copy restore and once at the end.
    const baseline = async () => {
      progress('store: cp -a baseline');
      const copy = { path: join(area.dir, `cp-${cpRuns.length + 1}`) };
      const cp = await execOk('cp', ['-a', stored, copy.path]);
      await settle();
      copies.push(copy);
      cpRuns.push({ ms: cp.ms, copy });
      return cp.ms;
    };
    interface RestoreRun {
      readonly ms: number;
      readonly disposeMs: number;
      readonly copy?: (typeof copies)[number];
      readonly cpBefore?: number;
    }
    const restoreOnce = async (method: RestoreMethod, run: number): Promise<RestoreRun> => {
      progress(`store: restore ${method}`);
      const dest = join(area.dir, `${method}-${run}`);
      const restored = await timed(() => store.restore(digest, dest, method));
      const dispose = temp.defer(() => restored.value.dispose());
      if (readdirSync(dest).length !== topLevel) throw new Error(`restore ${method}: ${dest} does not show the stored tree`);
      const disposed = await timed(() => dispose());
      await settle();
      if (method !== 'copy' && method !== 'hardlink') return { ms: restored.ms, disposeMs: disposed.ms };
      // A copy or a hardlink farm is the caller's to delete.
      const copy = { path: dest };
      copies.push(copy);
      return { ms: restored.ms, disposeMs: disposed.ms, copy };
    };
    const restores: { method: RestoreMethod; runs: RestoreRun[] }[] = [];
    for (const method of RESTORE_METHODS) {
      const runs: RestoreRun[] = [];
      for (let i = 1; i <= RUNS; i++) {
        const cpBefore = method === 'copy' ? await baseline() : undefined;
        runs.push({ ...(await restoreOnce(method, i)), ...(cpBefore !== undefined && { cpBefore }) });
      }
      restores.push({ method, runs });
    }
    await baseline();

    progress('store: removing the copies');
    for (const copy of copies) {
      const rm = await execOk('rm', ['-rf', '--one-file-system', copy.path]);
      copy.rmMs = rm.ms;
    }
    await settle();
    const cpMs = Math.min(...cpRuns.map((r) => r.ms));
    const rmMs = Math.min(...cpRuns.map((r) => r.copy.rmMs!));
    for (const { method, runs } of restores) {
      const zeroCopy = method === 'overlay' || method === 'bind-ro';
      const ms = Math.min(...runs.map((r) => r.ms));
      const paired = runs.filter((r) => r.cpBefore !== undefined).map((r) => round(r.ms / r.cpBefore!, 3));
      // Undoing it: unmount (mounts), or rm -rf of the copy (compare with rm -rf of cp's).
      const undoMs = Math.min(...runs.map((r) => r.disposeMs + (r.copy?.rmMs ?? 0)));
      report({
        bench: 'store.restore',
        method,
        ...size,
        ms: round(ms),
        ms_runs: runs.map((r) => round(r.ms)),
        baseline_cp_ms: round(cpMs),
        baseline_cp_runs_ms: cpRuns.map((r) => round(r.ms)),
        // Fastest restore over fastest cp -a; for copy also each run over the cp just before it.
        ratio: round(ms / cpMs, 3),
        ...(paired.length > 0 && { ratio_paired: paired }),
        undo_ms: round(undoMs),
        baseline_rm_ms: round(rmMs),
        zero_copy: zeroCopy,
        ...(zeroCopy && { note: 'mount only: nothing is copied or read' }),
      });
    }

    progress('store: put of a tree stored already');
    const again = await timed(() => store.put(join(twin.dir, 'tree')));
    report(putFigure(again));
  } finally {
    await temp.dispose();
  }
}
