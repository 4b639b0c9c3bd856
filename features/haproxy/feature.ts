import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'HAProxy load balancer',
  overrides: ['etc/haproxy/haproxy.cfg'],
  mixins: [mixin('use/haproxy', { description: 'HAProxy with a starting configuration (stats on :8404)' }, add('PACKAGES', 'haproxy'))],
});
