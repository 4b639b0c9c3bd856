import test from 'ava';
import { defaultStoreRoot } from '../../src/cache/store-root.ts';

test('MKIMAGE_STORE wins', (t) => {
  t.is(defaultStoreRoot({ MKIMAGE_STORE: '/srv/store', XDG_CACHE_HOME: '/x', HOME: '/home/u' }), '/srv/store');
});

test('then XDG_CACHE_HOME, if absolute', (t) => {
  t.is(defaultStoreRoot({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/mkimage');
  t.is(defaultStoreRoot({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/mkimage');
});

test('then ~/.cache', (t) => {
  t.is(defaultStoreRoot({ HOME: '/home/u' }), '/home/u/.cache/mkimage');
  t.is(defaultStoreRoot({}, '/root'), '/root/.cache/mkimage');
});
