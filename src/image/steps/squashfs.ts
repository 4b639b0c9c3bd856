// The squashfs step: the live root as one compressed file system (live-boot mounts
// live/filesystem.squashfs). zstd at a low level for `fast`, xz for `tight`.

import { join } from 'node:path';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { mksquashfsProgress, withProgress } from '../progress.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { mksquashfsArgs, TOOLS } from '../tools.ts';

export const SQUASHFS_FILE = 'filesystem.squashfs';

export async function squashfs(config: ImageConfig, root: string, out: string, io: StepIo): Promise<void> {
  await run(TOOLS.mksquashfs.file, mksquashfsArgs(config, root, join(out, SQUASHFS_FILE)), runOptions(withProgress(io, mksquashfsProgress()), toolEnv(config, io)));
}
