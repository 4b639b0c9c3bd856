import { add, feature, mixin, trySet } from 'mkimage';

export default feature({
  description: 'the Linux kernel and its initramfs tools',
  mixins: [
    mixin('use/kernel', { description: 'the distribution kernel (KERNEL) with initramfs-tools' },
      trySet('KERNEL', 'linux-image-amd64'),
      add('BASE_PACKAGES', 'initramfs-tools', 'zstd')),
  ],
});
