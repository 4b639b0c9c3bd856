import { feature, localSource, mixin } from 'mkimage';

export default feature({
  description: 'mkimage-hello, a custom package built from this folder',
  packages: [localSource('mkimage-hello', { dir: 'mkimage-hello' })],
  mixins: [mixin('use/hello', { description: 'our mkimage-hello wherever the image installs it' })],
});
