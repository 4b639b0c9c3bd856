// A small root with a package of our own: mkimage-hello, built from features/hello/mkimage-hello/.
import { add, distro, set } from 'mkimage';

export const helloTools = distro('hello-tools', { description: 'a small root with mkimage-hello, a package of our own', needs: ['use/hello'], images: ['tar'] },
  set('MIRRORS', ['http://deb.debian.org/debian']),
  set('VARIANT', 'essential'),
  add('BASE_PACKAGES', 'apt'),
  add('PACKAGES', 'mkimage-hello'),
);
