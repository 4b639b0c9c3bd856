// The packages stage: apt-get install of the distro's own packages on top of the shared
// bootstrap, inside the root with the network, leaving no apt lists or downloaded .debs behind.

import type { ImageConfig } from '../config.ts';
import { runInRoot } from '../in-root.ts';
import { aptProgress, withProgress } from '../progress.ts';
import type { StepIo } from '../step-io.ts';
import { aptInstallScript } from '../tools.ts';

export async function packages(config: ImageConfig, root: string, io: StepIo): Promise<void> {
  if (config.packages.length === 0) return;
  const script = aptInstallScript(config.packages);
  await runInRoot(root, { script, network: true, env: { SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) } }, withProgress(io, aptProgress()));
}
