// The bootstrap stage: mmdebstrap of the suite, variant and base packages into an empty root.
// Locked (the distro has a current entry in mkimage.lock), it installs exactly the locked
// bootstrap set from a flat repository of pool files, with no network, checks that dpkg's
// installed set is the lock, and its fingerprint is that set; unlocked, it installs from the
// config's mirrors or else the host's apt sources, as they are now. It reads only what
// mmdebstrap reads, so every distro with the same base shares it; nothing distro-specific
// (hostname) and nothing of the build host (its resolv.conf and hostname, which mmdebstrap
// copies in) stays.

import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { aptProgress, withProgress } from '../progress.ts';
import { replaceFile } from '../replace-file.ts';
import { defineStage, PLACEHOLDER, type StageRecipe } from '../stage.ts';
import { keepingOutput, runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { MMDEBSTRAP, mmdebstrapArgs, type MmdebstrapConfig } from '../tools/mmdebstrap.ts';
import { explainPackageFailure } from '../package-failure.ts';
import type { LockedPackage, LockedSource } from '../../archive/lock-file.ts';
import { checkInstalledIsLocked, disappeared, lockedRepository, withoutLine, type PoolAccess } from '../locked-install.ts';
import { UNSHARE } from '../tools/unshare.ts';

export type BootstrapConfig = MmdebstrapConfig & Pick<ImageConfig, 'mirrors' | 'sourceDateEpoch'>;

/** A locked bootstrap: the packages, and the archive's suites for the image's sources.list. */
export interface LockedBootstrap {
  readonly suite: string;
  readonly architecture: ImageConfig['architecture'];
  readonly components: readonly string[];
  readonly sourceDateEpoch: number;
  readonly locked: readonly LockedPackage[];
  readonly sources: readonly string[];
}

type Selected = ({ readonly locked?: undefined } & BootstrapConfig) | LockedBootstrap;

/** mmdebstrap's hooks that bind a file:// mirror into the root while it installs. */
const FILE_MIRROR_HOOKS = '--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount';
const REPO = '$REPO';

/** The image's apt sources after a locked bootstrap: the suites the lock came from. */
export function lockedSourcesList(sources: readonly LockedSource[], components: readonly string[]): string[] {
  return sources.map((s) => `deb ${s.mirror} ${s.suite} ${(components.length > 0 ? components : ['main']).join(' ')}`);
}

/** Where the host's apt sources are (those with entries): what bootstrap uses without mirrors. */
export const HOST_APT_SOURCES = { list: '/etc/apt/sources.list', dir: '/etc/apt/sources.list.d' } as const;

export const bootstrapStage = defineStage<Selected>({
  name: 'bootstrap',
  description: 'mmdebstrap: the essential set and BASE_PACKAGES (shared by distros with the same base)',
  needs: [],
  weight: 1,
  module: import.meta.url,
  select: (c): Selected => c.locked ? {
    suite: c.suite,
    architecture: c.architecture,
    components: c.components,
    sourceDateEpoch: c.sourceDateEpoch,
    // Each package as the lock says (version, sha256, where it came from): the variant, base
    // packages and mirrors were resolved into it.
    locked: c.locked.packages.filter((p) => p.stage === 'bootstrap').map(withoutLine),
    sources: lockedSourcesList(c.locked.sources, c.components),
  } : {
    suite: c.suite,
    variant: c.variant,
    architecture: c.architecture,
    components: c.components,
    mirrors: c.mirrors,
    basePackages: c.basePackages,
    sourceDateEpoch: c.sourceDateEpoch,
  },
  recipe: (c, { aptCache }): StageRecipe => c.locked ? {
    tools: [MMDEBSTRAP, UNSHARE],
    runs: { mmdebstrap: lockedArgs(c, PLACEHOLDER.out, REPO), 'sources.list': c.sources.join('\n') },
  } : {
    // Without mirrors, the host's sources are an input: their content decides what is fetched.
    files: c.mirrors.length > 0 ? [] : [`${HOST_APT_SOURCES.list}*`, `${HOST_APT_SOURCES.dir}/*`],
    tools: [MMDEBSTRAP],
    runs: { mmdebstrap: mmdebstrapArgs(c, PLACEHOLDER.out, c.mirrors.length > 0 ? c.mirrors : ['$HOST_APT_SOURCES'], aptCache && '$APT_CACHE') },
  },
  explain: (failure, config) => explainPackageFailure(failure, config.packageOrigins),
  run: async (c, ctx, { aptCache, pool }) => {
    if (c.locked) {
      if (!pool) throw new Error('a locked bootstrap needs the package pool');
      return lockedBootstrap(c, ctx.out, ctx, pool);
    }
    if (aptCache) await mkdir(aptCache, { recursive: true });
    await bootstrap(c, ctx.out, ctx, aptCache ? { aptCache } : {});
  },
});

/**
 * unshare --net, then mmdebstrap from the repository alone: the essential variant and every
 * locked name (a flat repository has the .debs' Priority fields, not the archive's, so no
 * other variant would pick the same set).
 */
function lockedArgs(c: LockedBootstrap, root: string, repo: string): string[] {
  const config = { suite: c.suite, variant: 'essential', architecture: c.architecture, components: [], basePackages: [...new Set(c.locked.map((p) => p.name))] };
  return ['--net', '--', MMDEBSTRAP.file, FILE_MIRROR_HOOKS, ...mmdebstrapArgs(config, root, [repo])];
}

/** The locked set from the pool with no network; then the root is checked against the lock. */
export async function lockedBootstrap(c: LockedBootstrap, root: string, io: StepIo, pool: PoolAccess): Promise<void> {
  const repo = await lockedRepository(join(io.tmp, 'lock-repo'), c.locked, c.suite, pool, io);
  const kept = keepingOutput(withProgress(io, aptProgress()));
  await run(UNSHARE.file, lockedArgs(c, root, repo), runOptions(kept.io, toolEnv(c, io)));
  checkInstalledIsLocked(root, c.locked, disappeared(kept.text()));
  await replaceFile(join(root, 'etc/apt/sources.list'), `${c.sources.join('\n')}\n`);
  await forgetBuildHost(root);
}

export interface BootstrapOptions {
  /** A directory of .deb files shared between bootstraps (filled and reused). */
  readonly aptCache?: string;
}

export async function bootstrap(config: BootstrapConfig, root: string, io: StepIo, options: BootstrapOptions = {}): Promise<void> {
  const sources = config.mirrors.length > 0 ? config.mirrors : await hostAptSources();
  await mmdebstrap(config, root, sources, io, options.aptCache);
  await forgetBuildHost(root);
}

async function mmdebstrap(config: BootstrapConfig, root: string, sources: readonly string[], io: StepIo, aptCache?: string): Promise<void> {
  await run(MMDEBSTRAP.file, mmdebstrapArgs(config, root, sources, aptCache), runOptions(withProgress(io, aptProgress()), toolEnv(config, io)));
}

async function forgetBuildHost(root: string): Promise<void> {
  // A link (systemd-resolved's) belongs to the image; a file is the host's copy.
  const resolv = join(root, 'etc/resolv.conf');
  if ((await lstat(resolv).catch(() => undefined))?.isFile()) await rm(resolv);
  await replaceFile(join(root, 'etc/hostname'), 'localhost\n');
}

/** The host's apt source files, for mmdebstrap to paste into the root (it reads one-line and deb822 files). */
export async function hostAptSources(): Promise<string[]> {
  const files: string[] = [HOST_APT_SOURCES.list];
  const names = await readdir(HOST_APT_SOURCES.dir).catch(() => [] as string[]);
  for (const n of names.sort()) if (n.endsWith('.list') || n.endsWith('.sources')) files.push(join(HOST_APT_SOURCES.dir, n));
  const used: string[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    if (text.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) used.push(f);
  }
  if (used.length === 0) {
    throw new RecipeFailure('no apt sources: the config has no mirrors and the host has no sources.list entries', {
      hint: 'set MIRRORS, or configure apt on the build host',
    });
  }
  return used;
}
