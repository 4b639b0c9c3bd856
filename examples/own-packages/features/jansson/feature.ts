import { debianSource, feature, mixin } from 'mkimage';

export default feature({
  description: 'jansson printing objects as "key" => value, and what depends on it',
  packages: [debianSource('jansson', { patches: ['patches/arrow.patch'], buildOptions: ['nocheck'], rebuild: 'dependents' })],
  mixins: [mixin('use/jansson', { description: 'nothing to add: every image with libjansson4 takes the build' })],
});
