import { add, feature, mixin, tags } from 'mkimage';

export default feature({
  description: 'rescue tools: disks, file systems, network diagnosis',
  mixins: [mixin('use/rescue', { description: 'the rescue lists (tags rescue && (disk || network))' }, add('LISTS', tags('rescue && (disk || network)')))],
});
