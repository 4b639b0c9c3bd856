// The iso step: the boot files, the squashfs and .disk/info put together by xorriso as one
// hybrid image (CD and USB stick, BIOS and UEFI). Inputs are grafted in place, not copied.

import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { run } from '../../proc/run.ts';
import { diskInfo } from '../boot-config.ts';
import type { ImageConfig } from '../config.ts';
import { withProgress, xorrisoProgress } from '../progress.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { TOOLS, xorrisoArgs } from '../tools.ts';
import { SQUASHFS_FILE } from './squashfs.ts';

export interface IsoSources {
  /** Output of the boot-files step. */
  readonly bootFiles: string;
  /** Output of the squashfs step. */
  readonly squashfs: string;
  /** What .disk/info names as the build's source (a commit id). */
  readonly commit: string;
}

export function isoFileName(config: ImageConfig): string {
  return `${config.name}.iso`;
}

export async function iso(config: ImageConfig, sources: IsoSources, out: string, io: StepIo): Promise<void> {
  const info = join(io.tmp, 'disk-info');
  await writeFile(info, diskInfo(config, sources.commit));
  const inputs = { bootTree: sources.bootFiles, squashfs: join(sources.squashfs, SQUASHFS_FILE), diskInfo: info };
  await run(TOOLS.xorriso.file, xorrisoArgs(config, inputs, join(out, isoFileName(config))), runOptions(withProgress(io, xorrisoProgress()), toolEnv(config, io)));
}
