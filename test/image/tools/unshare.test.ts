import test from 'ava';
import { SHELL_SETUP, shellArgs, unshareArgs } from '../../../src/image/tools/unshare.ts';

test('unshare: private mounts, PIDs, host name and IPC always, a network namespace unless asked for network', (t) => {
  const isolated = unshareArgs('/r', false);
  t.deepEqual(isolated.slice(0, 8), ['--mount', '--propagation', 'private', '--pid', '--uts', '--ipc', '--fork', '--kill-child']);
  t.true(isolated.includes('--net'));
  t.false(unshareArgs('/r', true).includes('--net'));
  t.deepEqual(isolated.slice(-3), ['mkimage-in-root', '/r', '0']);
  t.is(unshareArgs('/r', true).at(-1), '1');
});

test("shell: the hooks' namespaces, the overlay and the command after the positional parameters; the command is no PID 1", (t) => {
  const args = shellArgs({ root: '/s/root', lower: '/store/trees/x/tree', scratch: '/s', network: false, command: ['ls', '-l'] });
  t.deepEqual(args.slice(0, 8), unshareArgs('/r', false).slice(0, 8));
  t.true(args.includes('--net'));
  t.deepEqual(args.slice(-7), ['mkimage-shell', '/s/root', '0', '/store/trees/x/tree', '/s', 'ls', '-l']);
  t.regex(SHELL_SETUP, /lowerdir=\$3,upperdir=\$4\/upper,workdir=\$4\/work,index=on/);
  t.regex(SHELL_SETUP, /^chroot "\$root" "\$@"$/m);
  t.notRegex(SHELL_SETUP, /exec chroot/);
});
