import test from 'ava';
import { unshareArgs } from '../../../src/image/tools/unshare.ts';

test('unshare: private mounts and PIDs always, a network namespace unless asked for network', (t) => {
  const isolated = unshareArgs('/r', false);
  t.deepEqual(isolated.slice(0, 6), ['--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child']);
  t.true(isolated.includes('--net'));
  t.false(unshareArgs('/r', true).includes('--net'));
  t.deepEqual(isolated.slice(-3), ['mkimage-in-root', '/r', '0']);
  t.is(unshareArgs('/r', true).at(-1), '1');
});
