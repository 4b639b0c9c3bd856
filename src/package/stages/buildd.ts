// The build chroot of a suite and architecture: mmdebstrap's buildd variant (essential,
// build-essential and apt), as Debian's buildds and sbuild's unshare backend make it. One per
// suite, shared by every package built for it; the build dependencies go on top (build-deps.ts).
// Locked (mkimage.lock's `buildd` lines), it is made of exactly the locked packages, from the
// pool, with no network, and checked against the lock, as a locked image bootstrap is.

import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecipeContext } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { aptProgress, withProgress } from '../../image/progress.ts';
import { replaceFile } from '../../image/replace-file.ts';
import { runOptions, toolEnv } from '../../image/step-io.ts';
import { MMDEBSTRAP } from '../../image/tools/mmdebstrap.ts';
import type { LockedPackage, LockedSource } from '../../archive/lock-file.ts';
import type { Json } from '../../core/canonical.ts';
import { lockedBootstrap, lockedSourcesList, type LockedBootstrap } from '../../image/stages/bootstrap.ts';
import { withoutLine, type PoolAccess } from '../../image/locked-install.ts';
import { UNSHARE } from '../../image/tools/unshare.ts';
import { builddId, packageTarget } from '../step.ts';

export interface BuilddValues {
  readonly suite: string;
  readonly architecture: string;
  readonly mirror: string;
  readonly sourceDateEpoch: number;
  readonly [k: string]: string | number;
}

export const builddArgs = (v: BuilddValues, root: string): string[] => [
  '--mode=root',
  '--verbose',
  '--variant=buildd',
  `--architectures=${v.architecture}`,
  '--aptopt=Acquire::Languages "none"',
  v.suite,
  root,
  v.mirror,
];

/** A locked chroot: its packages and the suites they came from (its sources.list). */
export interface LockedChroot {
  readonly packages: readonly LockedPackage[];
  readonly sources: readonly LockedSource[];
  readonly components: readonly string[];
}

export function builddTarget(v: BuilddValues, locked?: LockedChroot, pool?: PoolAccess) {
  if (locked) return lockedBuilddTarget(v, locked, pool);
  return packageTarget({
    id: builddId(v.suite, v.architecture),
    step: 'buildd',
    description: `mmdebstrap --variant=buildd: the clean build chroot of ${v.suite}`,
    deps: [],
    weight: 1,
    module: import.meta.url,
    values: v,
    tools: [MMDEBSTRAP],
    runs: { mmdebstrap: JSON.stringify(builddArgs(v, '$OUT')) },
    run: buildd,
  });
}

async function buildd(v: BuilddValues, ctx: RecipeContext): Promise<void> {
  await run(MMDEBSTRAP.file, builddArgs(v, ctx.out), runOptions(withProgress(ctx, aptProgress()), toolEnv(v, ctx)));
  await forgetHost(ctx.out);
}

/** Nothing of the build host stays: its resolv.conf (a file mmdebstrap copied) and hostname. */
async function forgetHost(root: string): Promise<void> {
  const resolv = join(root, 'etc/resolv.conf');
  if ((await lstat(resolv).catch(() => undefined))?.isFile()) await rm(resolv);
  await replaceFile(join(root, 'etc/hostname'), 'buildd\n');
}

function lockedBuilddTarget(v: BuilddValues, locked: LockedChroot, pool: PoolAccess | undefined) {
  // The set is the input (the mirror it came from is not: a pool file is the file, wherever it was fetched).
  const c: LockedBootstrap = {
    suite: v.suite,
    architecture: v.architecture as LockedBootstrap['architecture'],
    components: locked.components,
    sourceDateEpoch: v.sourceDateEpoch,
    // In the lock file's order, whether the entry was just resolved (apt's order) or read back.
    locked: locked.packages.map(withoutLine).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.architecture < b.architecture ? -1 : a.architecture > b.architecture ? 1 : 0)),
    sources: lockedSourcesList(locked.sources, locked.components),
  };
  return packageTarget({
    id: builddId(v.suite, v.architecture),
    step: 'buildd',
    description: `the clean build chroot of ${v.suite}: the ${c.locked.length} packages mkimage.lock pins, from the pool`,
    deps: [],
    weight: 1,
    module: import.meta.url,
    values: c as unknown as Json,
    tools: [MMDEBSTRAP, UNSHARE],
    run: async (_v, ctx) => {
      if (!pool) throw new Error('a locked build chroot needs the package pool');
      await lockedBootstrap(c, ctx.out, ctx, pool);
      await forgetHost(ctx.out);
    },
  });
}
