// Which overlay mounts put() folds onto their lower entry: read from the mount's options.

import test from 'ava';
import { overlayLayers, overlayOptionsProblem } from '../../src/cache/overlay-fold.ts';

const AS_MOUNTED = ['rw', 'lowerdir=/s/tmp/1/ro-trees/abc/tree', 'upperdir=/s/tmp/1/x/upper', 'workdir=/s/tmp/1/x/work', 'index=on', 'uuid=on', 'fsync=volatile'];

test('the options the image stages mount with allow folding', (t) => {
  t.is(overlayOptionsProblem(AS_MOUNTED), undefined);
  t.deepEqual(overlayLayers('/m', AS_MOUNTED), { merged: '/m', lower: '/s/tmp/1/ro-trees/abc/tree', upper: '/s/tmp/1/x/upper', work: '/s/tmp/1/x/work' });
});

test('without the index, with redirects, metacopy, several lower layers or unknown options it copies', (t) => {
  t.is(overlayOptionsProblem(AS_MOUNTED.filter((o) => o !== 'index=on')), 'index is off');
  t.is(overlayOptionsProblem([...AS_MOUNTED, 'redirect_dir=on']), 'redirect_dir=on');
  t.is(overlayOptionsProblem([...AS_MOUNTED, 'metacopy=on']), 'metacopy=on');
  t.is(overlayOptionsProblem([...AS_MOUNTED, 'lowerdir=/a:/b']), 'more than one lower layer');
  t.is(overlayOptionsProblem([...AS_MOUNTED, 'userxattr']), 'option userxattr');
  t.is(overlayOptionsProblem([...AS_MOUNTED, 'redirect_dir=off', 'metacopy=off', 'xino=off']), undefined);
});

test('a mount without all three layers has none', (t) => {
  t.is(overlayLayers('/m', ['rw', 'lowerdir=/a']), undefined);
});
