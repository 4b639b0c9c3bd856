import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'what every server gets, and the small-server variant',
  mixins: [
    mixin('use/server', { description: 'server tools: certificates, an editor, curl' }, add('BASE_LISTS', 'server-base')),
    mixin('use/server/mini', { description: 'a small server: no documentation', needs: ['use/server', 'use/cleanup/docs'] }),
  ],
});
