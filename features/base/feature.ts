import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'the base system: systemd as init, udev, dbus, basic tools',
  mixins: [mixin('use/base', { description: 'a systemd-based Debian root' }, add('BASE_LISTS', 'base'))],
});
