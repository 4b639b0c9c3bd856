import test from 'ava';
import { mksquashfsArgs } from '../../../src/image/tools/mksquashfs.ts';
import { testConfig } from '../helpers/image-config.ts';

test('mksquashfs: zstd 3 for fast, xz for tight, the excludes last (-e eats the rest)', (t) => {
  const fast = mksquashfsArgs(testConfig(), '/r', '/o/fs.squashfs');
  t.deepEqual(fast.slice(0, 3), ['/r', '/o/fs.squashfs', '-noappend']);
  t.deepEqual(fast.slice(fast.indexOf('-comp'), fast.indexOf('-comp') + 4), ['-comp', 'zstd', '-Xcompression-level', '3']);
  t.deepEqual(fast.slice(-3), ['-e', 'boot/vmlinuz-*', 'boot/initrd.img-*']);
  const tight = mksquashfsArgs(testConfig({ compression: 'tight' }), '/r', '/o');
  t.deepEqual(tight.slice(tight.indexOf('-comp'), tight.indexOf('-comp') + 2), ['-comp', 'xz']);
  // Timestamps come from SOURCE_DATE_EPOCH: mksquashfs refuses both.
  t.false(fast.includes('-mkfs-time') || fast.includes('-all-time'));
});

test('mksquashfs prints its bar (progress.ts reads it)', (t) => {
  const squash = mksquashfsArgs(testConfig(), '/r', '/o');
  t.true(squash.includes('-quiet'));
  t.false(squash.includes('-no-progress'));
});
