// The tar stage: the image root as a reproducible tarball (containers, VE templates): names
// sorted, mtimes clamped to SOURCE_DATE_EPOCH, numeric owners, xattrs and ACLs kept, zstd.

import { join } from 'node:path';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { TAR, tarArgs, ZSTD } from '../tools/tar.ts';

export type TarConfig = Pick<ImageConfig, 'name' | 'sourceDateEpoch'>;

export function tarFileName(config: Pick<ImageConfig, 'name'>): string {
  return `${config.name}.tar.zst`;
}

export const tarStage = defineStage<TarConfig>({
  name: 'tar',
  description: 'the image root as a reproducible tarball',
  needs: ['cleanup'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({ name: c.name, sourceDateEpoch: c.sourceDateEpoch }),
  recipe: (c) => ({ tools: [TAR, ZSTD], runs: { tar: tarArgs(c, PLACEHOLDER.root, `${PLACEHOLDER.out}/${tarFileName(c)}`) } }),
  run: (c, ctx) => tar(c, ctx.deps.cleanup!, ctx.out, ctx),
});

export async function tar(config: TarConfig, root: string, out: string, io: StepIo): Promise<void> {
  await run(TAR.file, tarArgs(config, root, join(out, tarFileName(config))), runOptions(io, toolEnv(config, io)));
}
