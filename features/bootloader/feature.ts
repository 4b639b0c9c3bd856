import { add, feature, mixin, setting } from 'mkimage';

export default feature({
  description: 'boot loaders of the ISO: isolinux for BIOS, grub for UEFI',
  settings: [
    setting({ name: 'BOOTLOADERS', type: 'list', default: [], help: 'boot loaders put on the ISO: isolinux (BIOS), grub (UEFI)' }),
    setting({ name: 'BOOT_TIMEOUT', type: 'number', default: 3, help: 'seconds the boot menu waits' }),
  ],
  mixins: [
    mixin('use/bootloader/isolinux', { description: 'BIOS boot through isolinux' }, add('BOOTLOADERS', 'isolinux')),
    mixin('use/bootloader/grub', { description: 'UEFI boot through a grub EFI image' }, add('BOOTLOADERS', 'grub')),
  ],
});
