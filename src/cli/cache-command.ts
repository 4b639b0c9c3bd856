// `mkimage cache ls | verify | gc --max-size SIZE`.

import { LocalStore, parseSize } from '../cache/local-store.ts';
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
        if (!options.json) io.out(`${report.checked} entries checked, ${report.corrupt.length} corrupt`);
        return report.corrupt.length === 0 ? 0 : 1;
      }
      default: {
        const report = await store.gc({ maxBytes: maxBytes!, signal: io.signal });
        for (const e of report.evicted) {
          io.out(options.json ? JSON.stringify(e) : `evicted  ${e.digest.slice(0, 16)}  ${formatBytes(e.bytes)}  last used ${formatMs(now - e.lastUsed)} ago`);
        }
        if (!options.json) io.out(`${report.evicted.length} evicted, ${formatBytes(report.keptBytes)} kept`);
        return 0;
      }
    }
  } finally {
    await store.dispose();
  }
}
