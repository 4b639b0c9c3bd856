// The bootstrap stage: mmdebstrap of the suite, variant and base packages into an empty root,
// from the config's mirrors or else the host's apt sources. It reads only what mmdebstrap
// reads, so every distro with the same base shares it; nothing distro-specific (hostname) and
// nothing of the build host (its resolv.conf and hostname, which mmdebstrap copies in) stays.

import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { aptProgress, withProgress } from '../progress.ts';
import { replaceFile } from '../replace-file.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { MMDEBSTRAP, mmdebstrapArgs, type MmdebstrapConfig } from '../tools/mmdebstrap.ts';
import { explainPackageFailure } from '../package-failure.ts';

export type BootstrapConfig = MmdebstrapConfig & Pick<ImageConfig, 'mirrors' | 'sourceDateEpoch'>;

/** Where the host's apt sources are (those with entries): what bootstrap uses without mirrors. */
export const HOST_APT_SOURCES = { list: '/etc/apt/sources.list', dir: '/etc/apt/sources.list.d' } as const;

export const bootstrapStage = defineStage<BootstrapConfig>({
  name: 'bootstrap',
  description: 'mmdebstrap: the essential set and BASE_PACKAGES (shared by distros with the same base)',
  needs: [],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({
    suite: c.suite,
    variant: c.variant,
    architecture: c.architecture,
    components: c.components,
    mirrors: c.mirrors,
    basePackages: c.basePackages,
    sourceDateEpoch: c.sourceDateEpoch,
  }),
  recipe: (c, { aptCache }) => ({
    // Without mirrors, the host's sources are an input: their content decides what is fetched.
    files: c.mirrors.length > 0 ? [] : [`${HOST_APT_SOURCES.list}*`, `${HOST_APT_SOURCES.dir}/*`],
    tools: [MMDEBSTRAP],
    runs: { mmdebstrap: mmdebstrapArgs(c, PLACEHOLDER.out, c.mirrors.length > 0 ? c.mirrors : ['$HOST_APT_SOURCES'], aptCache && '$APT_CACHE') },
  }),
  explain: (failure, config) => explainPackageFailure(failure, config.packageOrigins),
  run: async (c, ctx, { aptCache }) => {
    if (aptCache) await mkdir(aptCache, { recursive: true });
    await bootstrap(c, ctx.out, ctx, aptCache ? { aptCache } : {});
  },
});

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
