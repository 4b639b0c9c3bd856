import { feature, mixin } from 'mkimage';

export default feature({
  description: 'removes what must not ship: machine-id, ssh host keys, apt lists, logs; docs on request',
  mixins: [
    mixin('use/cleanup', { description: 'the cleanup every image gets (done by the cleanup stage)' }),
    mixin('use/cleanup/docs', { description: 'no documentation, man pages or info', needs: ['use/cleanup'], hooks: ['90-docs'] }),
  ],
});
