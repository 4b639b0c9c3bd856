import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'system locale and time zone',
  reads: ['LOCALE', 'TIMEZONE'],
  mixins: [mixin('use/locale', { description: 'LOCALE and TIMEZONE applied to the root', hooks: ['10-locale'] }, add('BASE_PACKAGES', 'tzdata'))],
});
