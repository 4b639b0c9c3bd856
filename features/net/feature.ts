import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'networking with systemd-networkd',
  mixins: [
    mixin('use/net/dhcp', { description: 'DHCP on every ethernet interface (networkd + resolved)' }, add('BASE_LISTS', 'net')),
  ],
});
