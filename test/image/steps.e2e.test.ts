// The image steps end to end on a real root: a real bootstrap (minutes; .debs are cached in
// /var/tmp/mkimage-test), the distro's steps, and the ISO and tarball.
import test from 'ava';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecipeFailure } from '../../src/core/target.ts';
import { HookFailed } from '../../src/image/errors.ts';
import { passwordSalt, shadowDay } from '../../src/image/derive.ts';
import { cleanup } from '../../src/image/stages/cleanup.ts';
import { hooks } from '../../src/image/stages/hooks.ts';
import { overlay } from '../../src/image/stages/overlay.ts';
import { packages } from '../../src/image/stages/packages.ts';
import { tar, tarFileName } from '../../src/image/stages/tar.ts';
import { assembleIso, bootstrapAndKeep, bootstrappedRoot, mountsUnder, removeTree, scratch, testIo } from './helpers/build-image.ts';
import { testConfig } from './helpers/image-config.ts';

const MINUTE = 60_000;

test.serial('bootstrap to ISO and tarball: the root is clean', async (t) => {
  t.timeout(20 * MINUTE);
  const dir = await scratch('steps');
  t.teardown(() => removeTree(dir));
  const c = testConfig({ packages: ['less', 'locales'], locale: 'en_US.UTF-8', timezone: 'Europe/Berlin' });
  const root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'tmp'));
  const io = testIo(join(dir, 'tmp'), join(dir, 'log'));
  t.log(`log: ${join(dir, 'log')}`);

  await bootstrapAndKeep(c, root, io);
  t.false(lstatSync(join(root, 'etc/resolv.conf')).isFile(), "the host's resolv.conf is not kept");
  t.is(readFileSync(join(root, 'etc/hostname'), 'utf8'), 'localhost\n');
  t.is(lstatSync(join(root, 'etc/hostname')).mode & 0o777, 0o644);

  await packages(c, root, io);
  t.true(existsSync(join(root, 'usr/bin/less')));
  t.deepEqual(readdirSync(join(root, 'var/lib/apt/lists')), []);

  const runBefore = readdirSync(join(root, 'run'));
  await overlay(c, root, io);
  await hooks(c, root, io);
  t.is(readFileSync(join(root, 'etc/mkimage-hook-ran'), 'utf8'), 'greeting=hello pid=1\n');
  t.true(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/hello.service')).isSymbolicLink());
  t.true(existsSync(join(root, 'usr/lib/systemd/system/hello.service')), 'lib/ of a feature lands in usr/lib/');
  t.false(existsSync(join(root, 'usr/sbin/policy-rc.d')));
  t.deepEqual(await mountsUnder(root), []);
  t.deepEqual(readdirSync(join(root, 'run')), runBefore, 'hooks get a private /run');

  await cleanup(c, root, io);
  t.is(readFileSync(join(root, 'etc/machine-id'), 'utf8'), '');
  t.deepEqual(readdirSync(join(root, 'etc/ssh')).filter((f) => f.startsWith('ssh_host_')), []);
  t.true(lstatSync(join(root, 'etc/systemd/system/ssh.service.wants/ssh-host-keys.service')).isSymbolicLink());
  t.is(readFileSync(join(root, 'etc/hostname'), 'utf8'), 'testhost\n');
  t.regex(readFileSync(join(root, 'etc/hosts'), 'utf8'), /^127\.0\.1\.1\ttesthost$/m);
  t.is(readFileSync(join(root, 'etc/default/locale'), 'utf8'), 'LANG=en_US.UTF-8\n');
  t.true(existsSync(join(root, 'usr/lib/locale/locale-archive')), 'the locale is generated');
  t.is(readlinkSync(join(root, 'etc/localtime')), '/usr/share/zoneinfo/Europe/Berlin');
  const shadow = readFileSync(join(root, 'etc/shadow'), 'utf8').trim().split('\n').map((l) => l.split(':'));
  t.true(shadow.find((f) => f[0] === 'root')![1]!.startsWith(`$6$${passwordSalt(c)}$`));
  t.deepEqual([...new Set(shadow.map((f) => f[2]))], [String(shadowDay(c.sourceDateEpoch))]);
  t.deepEqual(readdirSync(join(root, 'var/log'), { recursive: true }).filter((f) => lstatSync(join(root, 'var/log', String(f))).isFile()), []);

  // Byte-identical builds are server-mini.e2e's: two whole builds from empty stores, ISO and tarball.
  const started = Date.now();
  const first = await assembleIso(c, root, join(dir, 'one'), io, 'abc1234');
  t.log(`boot-files + squashfs + iso: ${Date.now() - started} ms, ${lstatSync(first).size} bytes`);
  t.true(lstatSync(first).size > 20 << 20, 'an ISO with a kernel and a root');
  mkdirSync(join(dir, 'tar'));
  await tar(c, root, join(dir, 'tar'), io);
  t.true(lstatSync(join(dir, 'tar', tarFileName(c))).size > 5 << 20, 'a tarball of the root');
});

async function rootFromCache(t: { teardown: (f: () => Promise<void>) => void }) {
  const dir = await scratch('hooks');
  t.teardown(() => removeTree(dir));
  mkdirSync(join(dir, 'tmp'));
  const io = testIo(join(dir, 'tmp'), join(dir, 'log'));
  const root = join(dir, 'root');
  await bootstrappedRoot(testConfig(), root, io);
  const script = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
    return join(dir, name);
  };
  return { dir, io, root, script };
}

test.serial('a failing hook: its feature, name, exit code and last lines; nothing left mounted', async (t) => {
  t.timeout(10 * MINUTE);
  const { dir, io, root, script } = await rootFromCache(t);
  const bad = script('30-bad', '#!/bin/sh\nfor i in $(seq 1 30); do echo "line $i"; done\necho oops >&2\nexit 3\n');
  const c = testConfig({ hooks: [{ feature: 'broken', path: bad, network: false, reads: [] }] });
  const e = await t.throwsAsync(hooks(c, root, io), { instanceOf: HookFailed });
  t.is(e?.feature, 'broken');
  t.is(e?.script, '30-bad');
  t.is(e?.exitCode, 3);
  t.is(e?.lastLines.length, 20);
  t.is(e?.lastLines.at(-1), 'oops');
  t.regex(e?.message ?? '', /^hook broken\/30-bad exited with 3 \(\/\S+\/30-bad\)\n {2}\| line 12\n/);
  t.is(e?.details.hint, undefined, 'no network hint for a failure that is not about the network');
  t.regex(readFileSync(join(dir, 'log'), 'utf8'), new RegExp(`=== hook ${bad}\\nline 1\\n`), 'the log names the hook before its output');
  t.deepEqual(await mountsUnder(root), []);
});

test.serial("a package apt cannot find: the failure's headline is apt's own line", async (t) => {
  t.timeout(10 * MINUTE);
  const { io, root } = await rootFromCache(t);
  const e = await t.throwsAsync(packages(testConfig({ packages: ['mkimage-no-such-package'] }), root, io), { instanceOf: RecipeFailure });
  t.is(e?.message.split('\n')[0], 'E: Unable to locate package mkimage-no-such-package (unshare exited with 100)');
  t.deepEqual(await mountsUnder(root), []);
});

test.serial('a hook with network sees the host network and a resolv.conf; the root keeps neither', async (t) => {
  t.timeout(10 * MINUTE);
  const { io, root, script } = await rootFromCache(t);
  const net = script('40-net', '#!/bin/sh\nset -eu\ntest "$(ls /sys/class/net)" != lo\ngrep -q nameserver /etc/resolv.conf\n');
  const runBefore = readdirSync(join(root, 'run'));
  await hooks(testConfig({ hooks: [{ feature: 'net', path: net, network: true, reads: [] }] }), root, io);
  t.deepEqual(readdirSync(join(root, 'run')), runBefore);
  t.deepEqual(await mountsUnder(root), []);
});

test.serial('aborting a hook kills it and everything it started, and unmounts', async (t) => {
  t.timeout(10 * MINUTE);
  const { dir, root, script } = await rootFromCache(t);
  const slow = script('50-slow', '#!/bin/sh\nsleep 4242 &\nsleep 4243\n');
  const controller = new AbortController();
  const io = testIo(join(dir, 'tmp'), join(dir, 'log'), controller.signal);
  const running = hooks(testConfig({ hooks: [{ feature: 'slow', path: slow, network: false, reads: [] }] }), root, io);
  await waitFor(() => sleeping().length === 2);
  // Else "none left" below would hold for sleeps that never ran.
  t.is(sleeping().length, 2, 'the hook and the sleep it started are running');
  controller.abort(new Error('interrupted'));
  await t.throwsAsync(running, { message: 'interrupted' });
  await waitFor(() => sleeping().length === 0);
  t.deepEqual(sleeping(), []);
  t.deepEqual(await mountsUnder(root), []);
  t.false(existsSync(join(root, 'usr/sbin/policy-rc.d')));
});

function sleeping(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return /^sleep\x00424[23]\x00$/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'));
      } catch {
        return false;
      }
    });
}

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}
