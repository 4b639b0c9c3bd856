// The iso stage: the boot files, the squashfs and .disk/info put together by xorriso as one
// hybrid image (CD and USB stick, BIOS and UEFI). Inputs are grafted in place, not copied.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../proc/run.ts';
import { diskInfo } from '../boot-config.ts';
import type { ImageConfig } from '../config.ts';
import { SQUASHFS_FILE } from '../live-layout.ts';
import { withProgress, xorrisoProgress } from '../progress.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { ISOHYBRID_MBR, XORRISO, xorrisoArgs } from '../tools/xorriso.ts';

export type IsoConfig = Pick<ImageConfig, 'name' | 'description' | 'suite' | 'architecture' | 'volumeId' | 'sourceDateEpoch'> & {
  /** What .disk/info names as the build's source (a commit id). */
  readonly commit: string;
};

export interface IsoSources {
  /** Output of the boot-files stage. */
  readonly bootFiles: string;
  /** Output of the squashfs stage. */
  readonly squashfs: string;
}

export function isoFileName(config: Pick<ImageConfig, 'name'>): string {
  return `${config.name}.iso`;
}

export const isoStage = defineStage<IsoConfig>({
  name: 'iso',
  description: 'xorriso: hybrid BIOS+UEFI ISO',
  needs: ['squashfs', 'boot-files'],
  weight: 1,
  module: import.meta.url,
  select: (c, { commit }) => ({ name: c.name, description: c.description, suite: c.suite, architecture: c.architecture, volumeId: c.volumeId, sourceDateEpoch: c.sourceDateEpoch, commit }),
  recipe: (c) => ({
    files: [ISOHYBRID_MBR.path],
    tools: [XORRISO],
    runs: {
      xorriso: xorrisoArgs(c, { bootTree: '$BOOT_FILES', squashfs: `$SQUASHFS/${SQUASHFS_FILE}`, diskInfo: `${PLACEHOLDER.tmp}/disk-info` }, `${PLACEHOLDER.out}/${isoFileName(c)}`),
      '.disk/info': diskInfo(c, c.commit),
    },
  }),
  run: (c, ctx) => iso(c, { bootFiles: ctx.deps['boot-files']!, squashfs: ctx.deps.squashfs! }, ctx.out, ctx),
});

export async function iso(config: IsoConfig, sources: IsoSources, out: string, io: StepIo): Promise<void> {
  const info = join(io.tmp, 'disk-info');
  await writeFile(info, diskInfo(config, config.commit));
  const inputs = { bootTree: sources.bootFiles, squashfs: join(sources.squashfs, SQUASHFS_FILE), diskInfo: info };
  await run(XORRISO.file, xorrisoArgs(config, inputs, join(out, isoFileName(config))), runOptions(withProgress(io, xorrisoProgress()), toolEnv(config, io)));
}
