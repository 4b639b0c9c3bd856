import { feature, mixin, set } from 'mkimage';

/** For tests only: a known root password, so that `mkimage boot --login` can log in. */
export default feature({
  description: 'test-only: root logs in with a known password (never ship this)',
  mixins: [
    mixin('use/testing/login', { description: 'root password "mkimage" on the console and over ssh', needs: ['use/ssh/root-password'] }, set('ROOT_PASSWORD', 'mkimage')),
  ],
});
