// tar (with zstd), for the tar stage: the image root as a reproducible tarball.

import type { ImageConfig } from '../config.ts';
import type { Tool } from './tool.ts';

export const TAR: Tool = { file: 'tar', version: ['--version'], package: 'tar' };
/** tar --zstd runs zstd: its version shapes the tarball too. */
export const ZSTD: Tool = { file: 'zstd', version: ['--version'], package: 'zstd' };

export function tarArgs(c: Pick<ImageConfig, 'sourceDateEpoch'>, root: string, output: string): string[] {
  return [
    '--create',
    `--file=${output}`,
    `--directory=${root}`,
    '--sort=name',
    // pax keeps xattrs and ACLs; atime and ctime are dropped, and the header names fixed
    // (they contain the PID by default).
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${c.sourceDateEpoch}`,
    '--clamp-mtime',
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--zstd',
    '.',
  ];
}
