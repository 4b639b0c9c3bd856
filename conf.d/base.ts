// The parts every image shares: a base system, and a live-bootable one.
import { distro } from 'mkimage';

export const base = distro('.base', {
  description: 'a Debian root with kernel, locale and power handling, cleaned for shipping',
  needs: ['use/base', 'use/kernel', 'use/locale', '+power', 'use/cleanup'],
});

export const containerBase = distro('.container-base', {
  description: 'a Debian root without kernel or initramfs, cleaned for shipping: for containers and VMs with a kernel of their own',
  needs: ['use/base', 'use/locale', 'use/cleanup'],
});

export const live = distro('.live', {
  description: 'a live system bootable from ISO by BIOS and UEFI, with a serial console',
  needs: [base, 'use/live', 'use/bootloader/isolinux', 'use/bootloader/grub', 'use/serial'],
});
