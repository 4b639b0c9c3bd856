import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'networking with systemd-networkd',
  mixins: [
    mixin('use/net/dhcp', { description: 'DHCP on every ethernet interface (networkd + resolved)', hooks: ['10-enable-networkd'] }, add('BASE_LISTS', 'net')),
  ],
});
