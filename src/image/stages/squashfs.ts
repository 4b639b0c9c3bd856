// The squashfs stage: the live root as one compressed file system (live-boot mounts
// live/filesystem.squashfs). zstd at a low level for `fast`, xz for `tight`.

import { join } from 'node:path';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { SQUASHFS_FILE } from '../live-layout.ts';
import { mksquashfsProgress, withProgress } from '../progress.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { MKSQUASHFS, mksquashfsArgs } from '../tools/mksquashfs.ts';

export type SquashfsConfig = Pick<ImageConfig, 'compression' | 'sourceDateEpoch'>;

export const squashfsStage = defineStage<SquashfsConfig>({
  name: 'squashfs',
  description: 'the live root as squashfs',
  needs: ['cleanup'],
  // mksquashfs uses every core.
  weight: 'all',
  module: import.meta.url,
  select: (c) => ({ compression: c.compression, sourceDateEpoch: c.sourceDateEpoch }),
  recipe: (c) => ({ tools: [MKSQUASHFS], runs: { mksquashfs: mksquashfsArgs(c, PLACEHOLDER.root, `${PLACEHOLDER.out}/${SQUASHFS_FILE}`) } }),
  run: (c, ctx) => squashfs(c, ctx.deps.cleanup!, ctx.out, ctx),
});

export async function squashfs(config: SquashfsConfig, root: string, out: string, io: StepIo): Promise<void> {
  await run(MKSQUASHFS.file, mksquashfsArgs(config, root, join(out, SQUASHFS_FILE)), runOptions(withProgress(io, mksquashfsProgress()), toolEnv(config, io)));
}
