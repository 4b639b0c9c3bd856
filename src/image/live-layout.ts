// Where things are on the live ISO: the squashfs stage names its file, boot-files puts the
// kernel and the loaders in place, their configuration names the same paths, and the iso stage
// grafts it all together.

export const ISO_PATHS = {
  kernel: '/live/vmlinuz',
  initrd: '/live/initrd.img',
  squashfs: '/live/filesystem.squashfs',
  isolinuxDir: 'isolinux',
  grubDir: 'boot/grub',
  efiImage: 'boot/grub/efi.img',
  diskInfo: '/.disk/info',
} as const;

/** The squashfs stage's output: one file, grafted at ISO_PATHS.squashfs. */
export const SQUASHFS_FILE = 'filesystem.squashfs';
