// The packages stage: apt-get install of the distro's own packages on top of the shared
// bootstrap, inside the root with the network, leaving no apt lists or downloaded .debs behind.

import type { ImageConfig } from '../config.ts';
import { runInRoot } from '../in-root.ts';
import { aptProgress, withProgress } from '../progress.ts';
import { openPreviousRoot } from '../root-overlay.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import type { StepIo } from '../step-io.ts';
import { aptInstallScript } from '../tools/apt.ts';
import { explainPackageFailure } from '../package-failure.ts';
import { UNSHARE, unshareArgs } from '../tools/unshare.ts';

export type PackagesConfig = Pick<ImageConfig, 'packages' | 'sourceDateEpoch'>;

export const packagesStage = defineStage<PackagesConfig>({
  name: 'packages',
  description: 'apt-get install PACKAGES and LISTS on top of the bootstrap',
  needs: ['bootstrap'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({ packages: c.packages, sourceDateEpoch: c.sourceDateEpoch }),
  recipe: (c) => ({
    tools: [UNSHARE],
    runs: { unshare: unshareArgs(PLACEHOLDER.root, true), 'apt-get script': aptInstallScript(c.packages) },
  }),
  explain: (failure, config) => explainPackageFailure(failure, config.packageOrigins),
  run: async (c, ctx) => {
    await openPreviousRoot(ctx);
    await packages(c, ctx.out, ctx);
  },
});

export async function packages(config: PackagesConfig, root: string, io: StepIo): Promise<void> {
  if (config.packages.length === 0) return;
  const script = aptInstallScript(config.packages);
  await runInRoot(root, { script, network: true, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, withProgress(io, aptProgress()));
}
