// The tar step: the image root as a reproducible tarball (containers, VE templates): names
// sorted, mtimes clamped to SOURCE_DATE_EPOCH, numeric owners, xattrs and ACLs kept, zstd.

import { join } from 'node:path';
import { run } from '../../proc/run.ts';
import type { ImageConfig } from '../config.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { tarArgs, TOOLS } from '../tools.ts';

export function tarFileName(config: ImageConfig): string {
  return `${config.name}.tar.zst`;
}

export async function tar(config: ImageConfig, root: string, out: string, io: StepIo): Promise<void> {
  await run(TOOLS.tar.file, tarArgs(config, root, join(out, tarFileName(config))), runOptions(io, toolEnv(config, io)));
}
