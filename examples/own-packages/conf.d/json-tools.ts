// A small root with jshon: use/jansson makes it take the project's own jansson, and jshon rebuilt against it.
import { add, distro, set } from 'mkimage';

export const jsonTools = distro('json-tools', { description: 'a small root with jshon, on our own jansson', needs: ['use/jansson'], images: ['tar'] },
  set('MIRRORS', ['http://deb.debian.org/debian']),
  set('VARIANT', 'essential'),
  add('BASE_PACKAGES', 'apt'),
  add('PACKAGES', 'jshon'),
);
