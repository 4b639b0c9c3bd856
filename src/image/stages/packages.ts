// The packages stage: apt-get install of the distro's own packages on top of the shared
// bootstrap, leaving no apt lists or downloaded .debs behind. Locked, it installs exactly the
// lock's packages of this stage, from a flat repository of pool files put in the root for the
// run, with no network, and checks afterwards that dpkg's installed set is the bootstrap's
// plus those; unlocked, apt fetches from the sources the bootstrap left, with the network.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockedPackage } from '../../archive/lock-file.ts';
import type { ImageConfig } from '../config.ts';
import { runInRoot } from '../in-root.ts';
import { checkInstalledIsLocked, disappeared, keepingOutput, lockedRepository, withoutLine, type PoolAccess } from '../locked-install.ts';
import { installedPackages } from '../manifest.ts';
import { aptProgress, withProgress } from '../progress.ts';
import { openPreviousRoot } from '../root-overlay.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import type { StepIo } from '../step-io.ts';
import { aptInstallScript, LOCKED_REPO_IN_ROOT, lockedInstallScript } from '../tools/apt.ts';
import { explainPackageFailure } from '../package-failure.ts';
import { UNSHARE, unshareArgs } from '../tools/unshare.ts';

export type PackagesConfig = Pick<ImageConfig, 'packages' | 'sourceDateEpoch'> & {
  /** The lock's packages of this stage (dependencies included); absent when unlocked. */
  readonly lockedPackages?: readonly LockedPackage[];
  readonly suite?: string;
};

export const packagesStage = defineStage<PackagesConfig>({
  name: 'packages',
  description: 'apt-get install PACKAGES and LISTS on top of the bootstrap',
  needs: ['bootstrap'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({
    packages: c.packages,
    sourceDateEpoch: c.sourceDateEpoch,
    ...(c.locked && { suite: c.suite, lockedPackages: c.locked.packages.filter((p) => p.stage === 'packages').map(withoutLine) }),
  }),
  recipe: (c) => ({
    tools: [UNSHARE],
    runs: { unshare: unshareArgs(PLACEHOLDER.root, !c.lockedPackages), 'apt-get script': c.lockedPackages ? lockedInstallScript(c.packages, c.lockedPackages) : aptInstallScript(c.packages) },
  }),
  explain: (failure, config) => explainPackageFailure(failure, config.packageOrigins),
  run: async (c, ctx, { pool }) => {
    await openPreviousRoot(ctx);
    if (c.lockedPackages) {
      if (!pool) throw new Error('a locked packages stage needs the package pool');
      return lockedPackages({ ...c, lockedPackages: c.lockedPackages, suite: c.suite ?? '' }, ctx.out, ctx, pool);
    }
    await packages(c, ctx.out, ctx);
  },
});

export async function packages(config: PackagesConfig, root: string, io: StepIo): Promise<void> {
  if (config.packages.length === 0) return;
  const script = aptInstallScript(config.packages);
  await runInRoot(root, { script, network: true, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, withProgress(io, aptProgress()));
}

/** The locked packages from a repository in the root, no network; then the root is checked against the lock. */
export async function lockedPackages(config: PackagesConfig & { readonly lockedPackages: readonly LockedPackage[]; readonly suite: string }, root: string, io: StepIo, pool: PoolAccess): Promise<void> {
  const locked = config.lockedPackages;
  if (locked.length === 0) return;
  const before = installedPackages(root);
  const repo = join(root, LOCKED_REPO_IN_ROOT);
  try {
    await lockedRepository(repo, locked, config.suite, pool, io);
    const kept = keepingOutput(withProgress(io, aptProgress()));
    const script = lockedInstallScript(config.packages, locked);
    await runInRoot(root, { script, network: false, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, kept.io);
    checkInstalledIsLocked(root, [...before, ...locked], disappeared(kept.text()));
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}
