import test from 'ava';
import { tarArgs } from '../../../src/image/tools/tar.ts';
import { testConfig } from '../helpers/image-config.ts';

test('tar: sorted, clamped, numeric owners, pax without atime/ctime, xattrs and ACLs', (t) => {
  const args = tarArgs(testConfig(), '/r', '/o/x.tar.zst');
  for (const flag of ['--sort=name', '--format=posix', '--mtime=@1700000000', '--clamp-mtime', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--zstd']) {
    t.true(args.includes(flag), flag);
  }
  t.true(args.includes('--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'));
  t.is(args.at(-1), '.');
});
