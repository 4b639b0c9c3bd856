// grub-mkimage, mkfs.vfat and mtools, for the boot-files stage: the EFI boot image of the ISO,
// a FAT file system holding one grub binary. The BIOS side is isolinux's files (isolinux.ts).

import type { ImageConfig } from '../config.ts';
import { fatSerial } from '../derive.ts';
import type { HostFile, Tool } from './tool.ts';

export const GRUB_MKIMAGE: Tool = { file: 'grub-mkimage', version: ['--version'], package: 'grub-common' };
// mkfs.vfat has no version flag (its --help starts with the usage), but fatlabel of the same
// dosfstools release answers --version.
export const MKFS_VFAT: Tool = { file: 'mkfs.vfat', version: ['--version'], versionFile: 'fatlabel', package: 'dosfstools' };
export const MMD: Tool = { file: 'mmd', version: ['-V'], package: 'mtools' };
export const MCOPY: Tool = { file: 'mcopy', version: ['-V'], package: 'mtools' };

export const GRUB_EFI_MODULES_DIR: HostFile = { path: '/usr/lib/grub/x86_64-efi', package: 'grub-efi-amd64-bin' };

/** Built into the EFI binary: it reads grub.cfg from the ISO, so these are all it needs. */
export const GRUB_EFI_MODULES = [
  'all_video',
  'configfile',
  'echo',
  'fat',
  'iso9660',
  'linux',
  'normal',
  'part_gpt',
  'part_msdos',
  'search',
  'search_label',
  'serial',
  'terminal',
  'test',
] as const;

/** grub-mkimage (unlike grub-mkstandalone) writes the same binary every time. */
export function grubMkimageArgs(output: string, embeddedConfig: string): string[] {
  return [
    '--format=x86_64-efi',
    `--output=${output}`,
    '--prefix=/boot/grub',
    `--config=${embeddedConfig}`,
    `--directory=${GRUB_EFI_MODULES_DIR.path}`,
    ...GRUB_EFI_MODULES,
  ];
}

/** FAT for the EFI image: --invariant fixes the label's timestamp, -i the serial (after it). */
export function mkfsVfatArgs(c: Pick<ImageConfig, 'name' | 'volumeId'>, image: string, kib: number | string): string[] {
  return ['-C', '--invariant', '-i', fatSerial(c), '-n', 'EFIBOOT', image, String(kib)];
}

export function mmdArgs(image: string, dirs: readonly string[]): string[] {
  return ['-i', image, ...dirs.map((d) => `::${d}`)];
}

/** -m: the file's mtime (set to SOURCE_DATE_EPOCH), not the time of the copy. */
export function mcopyArgs(image: string, source: string, dest: string): string[] {
  return ['-m', '-i', image, source, `::${dest}`];
}

/** Environment additions for mtools (the image is not a configured drive). */
export const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: '1' } as const;
