// `mkimage ls IMAGE-or-TARGET [PATH]`: an image's files with type, mode, owner and size, read
// from the manifest its store keeps of the tree (no mount, no unpacking).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../ui/format.ts';
import { entriesUnder, entryLine, ownersFrom, numericOwners, type Owners } from '../ui/tree-listing.ts';
import { resolveBuildRef, Stores } from './build-ref.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function lsCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (args.length < 1 || args.length > 2) {
    io.err('mkimage: ls wants an image or target and an optional path (hint: mkimage ls server-mini.iso /etc/ssh)');
    return 2;
  }
  const stores = new Stores();
  try {
    const ref = await resolveBuildRef(args[0]!, options, io, stores, storeRoot(options, io));
    if (!ref.ok) {
      printDiagnostic(io, ref.error);
      return 2;
    }
    const path = args[1] ?? '/';
    const entries = entriesUnder(ref.value.tree.entries, path);
    if (!entries) {
      io.err(`mkimage: ${args[0]} has no ${path}`);
      return 1;
    }
    if (options.json) {
      for (const e of entries) io.out(JSON.stringify(e));
      return 0;
    }
    const owners = treeOwners(ref.value.treePath);
    for (const e of entries) io.out(entryLine(e, owners));
    const bytes = entries.reduce((n, e) => n + (e.type === 'file' ? (e.size ?? 0) : 0), 0);
    io.out(`${entries.length} entries, ${formatBytes(bytes)} in files (${ref.value.digest.slice(0, 16)})`);
    return 0;
  } finally {
    await stores.dispose();
  }
}

/** User and group names as the image itself has them. */
function treeOwners(tree: string): Owners {
  try {
    return ownersFrom(readFileSync(join(tree, 'etc/passwd'), 'utf8'), readFileSync(join(tree, 'etc/group'), 'utf8'));
  } catch {
    return numericOwners;
  }
}
