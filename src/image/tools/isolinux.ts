// isolinux's files, for the boot-files stage: what boots the ISO on BIOS machines.

import type { HostFile } from './tool.ts';

export const ISOLINUX_BIN: HostFile = { path: '/usr/lib/ISOLINUX/isolinux.bin', package: 'isolinux' };
export const LDLINUX: HostFile = { path: '/usr/lib/syslinux/modules/bios/ldlinux.c32', package: 'syslinux-common' };
