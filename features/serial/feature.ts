import { feature, mixin, trySet } from 'mkimage';

export default feature({
  description: 'serial console for the kernel, the boot loaders and a login getty',
  mixins: [mixin('use/serial', { description: 'console on ttyS0 at 115200 baud' }, trySet('SERIAL_CONSOLE', 'ttyS0,115200'))],
});
