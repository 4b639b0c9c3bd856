import { debianSource, feature, mixin } from 'mkimage';

export default feature({
  description: 'jansson printing objects as "key" => value, and what depends on it',
  packages: [debianSource('jansson', { patches: ['patches/arrow.patch'], buildOptions: ['nocheck'], rebuild: 'dependents' })],
  mixins: [mixin('use/jansson', { description: 'our jansson (and jshon rebuilt against it) wherever the image installs them' })],
});
