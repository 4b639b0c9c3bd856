// Every Debian package the image stages and the boot check need on the host: what `mkimage
// doctor` checks and scripts/host-deps.sh installs (a test holds the two equal).

import { GRUB_EFI_MODULES_DIR, GRUB_MKIMAGE, MCOPY, MKFS_VFAT, MMD } from './efi-image.ts';
import { ISOLINUX_BIN, LDLINUX } from './isolinux.ts';
import { MKSQUASHFS } from './mksquashfs.ts';
import { APT_KEYRING, MMDEBSTRAP } from './mmdebstrap.ts';
import { OPENSSL } from './openssl.ts';
import { OVMF, QEMU } from './qemu.ts';
import { TAR, ZSTD } from './tar.ts';
import { UNSHARE } from './unshare.ts';
import { ISOHYBRID_MBR, XORRISO } from './xorriso.ts';

const TOOLS = [MMDEBSTRAP, UNSHARE, MKSQUASHFS, XORRISO, GRUB_MKIMAGE, MKFS_VFAT, MMD, MCOPY, OPENSSL, TAR, ZSTD, QEMU];
const HOST_FILES = [ISOLINUX_BIN, ISOHYBRID_MBR, LDLINUX, GRUB_EFI_MODULES_DIR, OVMF, APT_KEYRING];

/** Sorted, once each. */
export const requiredHostPackages: readonly string[] = [...new Set([...TOOLS, ...HOST_FILES].map((t) => t.package))].sort();
