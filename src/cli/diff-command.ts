// `mkimage diff A B`: what changed between two builds, as a changelog to review: packages
// added, removed and moved to another version, then files added, removed and changed (content,
// mode, owner, link target). A and B are anything `ls` takes: images or targets of the project,
// store digests, images or manifests in out/ dirs (each manifest names its own store).

import { diffManifests } from '../cache/tree-diff.ts';
import { diffPackages } from '../image/package-diff.ts';
import { diffLines } from '../ui/tree-listing.ts';
import { resolveBuildRef, Stores } from './build-ref.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function diffCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (args.length !== 2) {
    io.err('mkimage: diff wants two builds (hint: mkimage diff old/server-mini.iso out/server-mini.iso)');
    return 2;
  }
  const stores = new Stores();
  try {
    const refs = [];
    for (const operand of args) {
      const ref = await resolveBuildRef(operand, options, io, stores, storeRoot(options, io));
      if (!ref.ok) {
        printDiagnostic(io, ref.error);
        return 2;
      }
      refs.push(ref.value);
    }
    const [a, b] = refs as [(typeof refs)[0], (typeof refs)[0]];
    const packages = diffPackages(a.packages, b.packages);
    const files = diffManifests(a.tree, b.tree);
    if (options.json) {
      io.out(JSON.stringify({ a: { label: a.label, digest: a.digest }, b: { label: b.label, digest: b.digest }, packages, files }));
    } else {
      const byPath = (r: typeof a) => new Map(r.tree.entries.map((e) => [e.path, e]));
      for (const line of diffLines({ a: `${a.label} (${a.digest.slice(0, 16)})`, b: `${b.label} (${b.digest.slice(0, 16)})`, packages, files, before: byPath(a), after: byPath(b) })) io.out(line);
    }
    // As diff(1): 1 when they differ.
    return files.length === 0 && packages.added.length + packages.removed.length + packages.changed.length === 0 ? 0 : 1;
  } finally {
    await stores.dispose();
  }
}
