import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'live boot: the root is a squashfs on the boot medium, writes go to RAM',
  mixins: [
    mixin('use/live', { description: 'live-boot in the initramfs, boot=live', needs: ['use/kernel'] },
      add('BASE_PACKAGES', 'live-boot', 'live-boot-initramfs-tools'),
      add('KERNEL_CMDLINE', 'boot=live')),
  ],
});
