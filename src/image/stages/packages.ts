// The packages stage: apt-get install of the distro's own packages on top of the shared
// bootstrap, leaving no apt lists or downloaded .debs behind. Locked, it installs exactly the
// lock's packages of this stage, from a flat repository of pool files put in the root for the
// run, with no network, and checks afterwards that dpkg's installed set is the bootstrap's
// plus those; unlocked, apt fetches from the sources the bootstrap left, with the network.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockedPackage } from '../../archive/lock-file.ts';
import { addBuiltRepos, BUILT_REPOS_IN_ROOT } from '../built-repos.ts';
import type { BuiltPackages, ImageConfig } from '../config.ts';
import { runInRoot } from '../in-root.ts';
import { checkInstalledIsLocked, disappeared, lockedRepository, removedPackages, withoutLine, type PoolAccess } from '../locked-install.ts';
import { installedPackages } from '../manifest.ts';
import { aptProgress, withProgress } from '../progress.ts';
import { rootFrom } from '../root-overlay.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { keepingOutput, type StepIo } from '../step-io.ts';
import { aptInstallScript, LOCKED_REPO_IN_ROOT, lockedInstallScript } from '../tools/apt.ts';
import { explainPackageFailure } from '../package-failure.ts';
import { UNSHARE, unshareArgs } from '../tools/unshare.ts';
import { RecipeFailure } from '../../core/target.ts';

export type PackagesConfig = Pick<ImageConfig, 'packages' | 'sourceDateEpoch'> & {
  /** The lock's packages of this stage (dependencies included); absent when unlocked. */
  readonly lockedPackages?: readonly LockedPackage[];
  readonly suite?: string;
  /** The project's builds it takes (their repositories are prerequisites `repo:SOURCE`). */
  readonly built?: ReadonlyArray<Omit<BuiltPackages, 'target'>>;
  /** The binaries of local sources the lock says it installs (from `built`, at their built versions). */
  readonly lockedLocal?: ReadonlyArray<{ readonly name: string; readonly version: string; readonly architecture: string }>;
};

/** The name a package build's repository is read under by the packages stage. */
export const builtRepoDep = (source: string) => `repo:${source}`;

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
    ...(c.built && c.built.length > 0 && { built: c.built.map(({ target: _, ...b }) => b) }),
    ...(c.locked?.local && { lockedLocal: c.locked.local.map((l) => ({ name: l.name, version: l.version, architecture: l.architecture })) }),
  }),
  recipe: (c) => ({
    tools: [UNSHARE],
    runs: {
      unshare: unshareArgs(PLACEHOLDER.root, !c.lockedPackages),
      'apt-get script': c.lockedPackages ? lockedInstallScript(c.packages, c.lockedPackages) : aptInstallScript(c.packages, builtBinaries(c)),
    },
  }),
  explain: (failure, config) => explainPackageFailure(failure, config.packageOrigins),
  run: async (c, ctx, { pool }) => {
    const previous = Object.entries(ctx.deps).filter(([as]) => !as.startsWith(builtRepoDep('')));
    if (previous.length !== 1) throw new Error(`the packages stage reads one previous root, not ${previous.length}`);
    await rootFrom(previous[0]![1], ctx);
    const undo = await addBuiltRepos(ctx.out, Object.fromEntries((c.built ?? []).map((b) => [b.source, ctx.deps[builtRepoDep(b.source)]!])), ctx);
    try {
      if (c.lockedPackages) {
        if (!pool) throw new Error('a locked packages stage needs the package pool');
        await lockedPackages({ ...c, lockedPackages: c.lockedPackages, suite: c.suite ?? '' }, ctx.out, ctx, pool);
      } else await packages(c, ctx.out, ctx);
    } finally {
      await undo();
    }
    checkBuiltInstalled(ctx.out, c.built ?? []);
  },
});

const builtBinaries = (c: PackagesConfig) => (c.built ?? []).flatMap((b) => b.binaries);

/** Every binary of the project's builds that the root has is our build's, not the archive's; none it replaces is left. */
export function checkBuiltInstalled(root: string, built: NonNullable<PackagesConfig['built']>): void {
  const ours = new Map(built.flatMap((b) => b.binaries.map((n) => [n, b] as const)));
  const installed = installedPackages(root);
  const wrong = installed.filter((p) => ours.has(p.name) && ours.get(p.name)!.version !== p.version);
  const left = installed.flatMap((p) => {
    const by = built.find((b) => b.replaces.includes(p.name) && !ours.has(p.name));
    return by ? [`${p.name} ${p.version} (replaced by the build of ${by.source})`] : [];
  });
  if (left.length > 0) {
    throw new RecipeFailure(`the image still has the archive's ${left.join(', ')}`, {
      hint: "a package not rebuilt still needs it: rebuild its source too (rebuild: 'dependents')",
    });
  }
  if (wrong.length > 0) {
    throw new RecipeFailure(`the image has the archive's ${wrong.map((p) => `${p.name} ${p.version}`).join(', ')} instead of the project's build (${wrong.map((p) => ours.get(p.name)!.version).join(', ')})`, {
      hint: 'the build did not make that binary (a build profile or architecture left it out), or its version sorts below',
    });
  }
}

export async function packages(config: PackagesConfig, root: string, io: StepIo): Promise<void> {
  if (config.packages.length === 0 && !config.built?.length) return;
  const script = aptInstallScript(config.packages, builtBinaries(config));
  await runInRoot(root, { script, network: true, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, withProgress(io, aptProgress()));
}

/**
 * The locked packages from a repository in the root, no network; then the root is checked
 * against the lock. The project's builds take the place of the archive's packages of the same
 * name, in either stage, and what a build replaces under another name (a backport's renamed
 * library) leaves the root: apt pulls the new names from the builds' repositories.
 */
export async function lockedPackages(config: PackagesConfig & { readonly lockedPackages: readonly LockedPackage[]; readonly suite: string }, root: string, io: StepIo, pool: PoolAccess): Promise<void> {
  const ours = new Map((config.built ?? []).flatMap((b) => b.binaries.map((n) => [n, b.version] as const)));
  const gone = new Set((config.built ?? []).flatMap((b) => b.replaces).filter((n) => !ours.has(n)));
  const before = installedPackages(root);
  const local = config.lockedLocal ?? [];
  const notBuilt = local.find((l) => !ours.has(l.name));
  if (notBuilt) throw new RecipeFailure(`the lock installs ${notBuilt.name} of a local source, and no build of the image makes it`, { hint: 'is the feature that declares its localSource in the profile? mkimage lock again if the profile changed' });
  const replaced = [...before, ...config.lockedPackages, ...local].filter((p) => ours.has(p.name));
  const locked = config.lockedPackages.filter((p) => !ours.has(p.name) && !gone.has(p.name));
  const install = [...locked, ...new Map(replaced.map((p) => [p.name, { name: p.name, version: ours.get(p.name)! }])).values()];
  const remove = [...new Set(before.filter((p) => gone.has(p.name)).map((p) => p.name))];
  if (install.length === 0 && remove.length === 0) return;
  const repo = join(root, LOCKED_REPO_IN_ROOT);
  try {
    await lockedRepository(repo, locked, config.suite, pool, io);
    const kept = keepingOutput(withProgress(io, aptProgress()));
    const sources = (config.built ?? []).map((b) => `deb [trusted=yes] file:/${BUILT_REPOS_IN_ROOT}/${b.source} ./`);
    // What an earlier stage installed keeps its mark (a base list's curl stays manual).
    const script = lockedInstallScript([...config.packages, ...before.map((p) => p.name)], install, sources, remove);
    await runInRoot(root, { script, network: false, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, kept.io);
    const expected = [...before, ...config.lockedPackages, ...local].filter((p) => !gone.has(p.name)).map((p) => (ours.has(p.name) ? { ...p, version: ours.get(p.name)! } : p));
    // What apt's autoremove took out after our builds went in is gone on purpose; all else must be as locked.
    const said = kept.text();
    checkInstalledIsLocked(root, [...new Map(expected.map((p) => [`${p.name}:${p.architecture}`, p])).values()], [...disappeared(said), ...(sources.length > 0 ? removedPackages(said) : [])], ours);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}
