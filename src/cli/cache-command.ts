// `mkimage cache ls | verify | gc --max-size SIZE`.

import { dirname, join, resolve } from 'node:path';
import { POOL_DIR, PackagePool } from '../archive/pool.ts';
import { LocalStore, parseSize } from '../cache/local-store.ts';
import { printDiagnostic } from './io.ts';
import { ProjectLock } from './project-lock.ts';
import { sourcePoolFiles } from '../package/source-pool.ts';
import { formatBytes, formatMs } from '../ui/format.ts';
import { storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function cacheCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const [sub, ...extra] = args;
  if (extra.length > 0 || !['ls', 'verify', 'gc'].includes(sub ?? '')) {
    io.err(`mkimage: cache wants one of ls, verify, gc (got ${args.join(' ') || 'nothing'})`);
    return 2;
  }
  let maxBytes: number | undefined;
  if (sub === 'gc') {
    maxBytes = options['max-size'] === undefined ? undefined : parseSize(options['max-size']);
    if (maxBytes === undefined || Number.isNaN(maxBytes)) {
      io.err(`mkimage: cache gc wants --max-size SIZE, e.g. 500M or 20G (got ${options['max-size'] ?? 'nothing'})`);
      return 2;
    }
  }
  const store = await LocalStore.open(storeRoot(options, io));
  try {
    const now = Date.now();
    switch (sub) {
      case 'ls': {
        const entries = await store.list();
        const targets = await store.targetsByDigest();
        entries.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
        for (const e of entries) {
          const names = targets.get(e.digest) ?? [];
          const row = { digest: e.digest, targets: names, bytes: e.bytes, files: e.files, createdAt: e.createdAt, lastUsedAt: e.lastUsedAt };
          const named = names.length === 0 ? '-' : `${names[0]}${names.length > 1 ? ` +${names.length - 1}` : ''}`;
          io.out(options.json ? JSON.stringify(row)
            : `${e.digest.slice(0, 16)}  ${formatBytes(e.bytes).padStart(8)}  ${String(e.files).padStart(7)} files  created ${formatMs(now - e.createdAt)} ago  used ${formatMs(now - e.lastUsedAt)} ago  ${named}`);
        }
        if (!options.json) {
          // Entries stored as changes over a base share its unchanged files: the sum of sizes overstates the disk.
          const onDisk = await store.diskBytes(entries, io.signal);
          io.out(`${entries.length} entries, ${formatBytes(entries.reduce((n, e) => n + e.bytes, 0))} of trees, ${formatBytes(onDisk)} on disk (shared files once) in ${store.root}`);
        }
        return 0;
      }
      case 'verify': {
        const report = await store.verify();
        for (const c of report.corrupt) io.out(options.json ? JSON.stringify(c) : `corrupt  ${c.digest}: ${c.reason} (evicted)`);
        const pool = await new PackagePool(join(store.root, POOL_DIR)).verify(io.signal);
        for (const c of pool.corrupt) io.out(options.json ? JSON.stringify({ pool: c.sha256, got: c.got }) : `corrupt  pool/${c.file}: its content hashes to ${c.got.slice(0, 16)} (removed)`);
        if (!options.json) io.out(`${report.checked} entries and ${pool.checked} pool files checked, ${report.corrupt.length + pool.corrupt.length} corrupt`);
        return report.corrupt.length + pool.corrupt.length === 0 ? 0 : 1;
      }
      default: {
        const report = await store.gc({ maxBytes: maxBytes!, signal: io.signal });
        for (const e of report.evicted) {
          io.out(options.json ? JSON.stringify(e) : `evicted  ${e.digest.slice(0, 16)}  ${formatBytes(e.bytes)}  last used ${formatMs(now - e.lastUsed)} ago`);
        }
        if (!options.json) io.out(`${report.evicted.length} evicted, ${formatBytes(report.keptBytes)} kept`);
        return gcPool(store.root, options, io);
      }
    }
  } finally {
    await store.dispose();
  }
}

/**
 * The pool's part of gc: files the project's lock (beside the Targetfile) refers to are kept,
 * unless --drop-locked; without a lock to go by, nothing of the pool is removed (another
 * project's lock may need it), unless --drop-locked.
 */
async function gcPool(storeRoot: string, options: Options, io: Io): Promise<ExitCode> {
  const pool = new PackagePool(join(storeRoot, POOL_DIR));
  const lock = ProjectLock.read(options.file ? dirname(resolve(io.cwd, options.file)) : io.cwd);
  if (!lock.ok) {
    printDiagnostic(io, { ...lock.error, hint: 'the pool was left as it is: gc keeps what the lock refers to' });
    return 1;
  }
  if (!lock.value.exists && !options['drop-locked']) {
    if (!options.json) io.out(`pool: kept whole (no ${lock.value.file} to tell what is locked; --drop-locked empties it)`);
    return 0;
  }
  const locked = new Set([...lock.value.entries.values(), ...lock.value.chroots.values(), ...lock.value.buildDeps.values()].flatMap((d) => d.packages.map((p) => p.sha256)));
  // The files of the builds' sources: each .dsc, and what a .dsc the pool has names.
  for (const s of [...lock.value.builds.values()].flatMap((b) => b.sources)) {
    const files = await sourcePoolFiles(s, pool);
    for (const f of files.ok ? [files.value.dsc, ...(files.value.files ?? [])] : [{ sha256: s.sha256 }]) locked.add(f.sha256);
  }
  const r = await pool.prune((sha) => !options['drop-locked'] && locked.has(sha));
  io.out(options.json ? JSON.stringify({ pool: r }) : `pool: ${r.removed} file${r.removed === 1 ? '' : 's'} removed (${formatBytes(r.removedBytes)}), ${formatBytes(r.keptBytes)} kept for ${lock.value.file}`);
  return 0;
}
