// mksquashfs, for the squashfs stage: the live root as one compressed file system.

import type { ImageConfig } from '../config.ts';
import type { Tool } from './tool.ts';

export const MKSQUASHFS: Tool = { file: 'mksquashfs', version: ['-version'], package: 'squashfs-tools' };

/** Already next to the squashfs on the ISO; the live system never reads them. */
export const SQUASHFS_EXCLUDES = ['boot/vmlinuz-*', 'boot/initrd.img-*'] as const;

export function mksquashfsArgs(c: Pick<ImageConfig, 'compression'>, root: string, output: string): string[] {
  const compression =
    c.compression === 'fast'
      ? ['-comp', 'zstd', '-Xcompression-level', '3']
      : ['-comp', 'xz', '-Xbcj', 'x86'];
  // Timestamps: SOURCE_DATE_EPOCH in the environment sets the build time and every file's
  // mtime (mksquashfs 4.5 refuses -mkfs-time/-all-time alongside it).
  return [
    root,
    output,
    '-noappend',
    // -quiet without -no-progress: only the progress bar, which off a terminal 4.5 redraws
    // every 100 blocks and inodes (`\r[===-  ] 1700/3000  56%`), for progress.ts to read.
    // The bar does not change the image.
    '-quiet',
    ...compression,
    '-b',
    '1M',
    '-xattrs',
    // -e takes the rest of the command line: keep it last.
    '-wildcards',
    '-e',
    ...SQUASHFS_EXCLUDES,
  ];
}
