// The main job end to end, with real tools: build server-mini from an empty store, publish it
// as a signed release, boot the released ISO under BIOS (recorded there for promotion) and UEFI and log in (and make the boot check fail three ways), rebuild (nothing runs), edit an overlay file
// (only what depends on it runs), build again from another empty store (byte-identical),
// check the tarball holds the same root, and build lb-server on the shared stages.

import test from 'ava';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootCheck, type BootCheckOptions } from '../../src/image/boot/boot-check.ts';
import { makeArchiveKey } from '../helpers/archive-key.ts';
import { ProjectRig, type RunResult } from '../helpers/project-rig.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EPOCH = '1700000000';
const GOALS = ['server-mini-test.iso', 'server-mini-test.tar'];

// A copy of the project, so that the overlay edit touches nothing of the repository.
const project = new ProjectRig({});
for (const part of ['Targetfile.ts', 'conf.d', 'features', 'README.md']) cpSync(join(REPO, part), join(project.dir, part), { recursive: true });
const out = join(project.dir, 'out');
const env = { SOURCE_DATE_EPOCH: EPOCH };
const build = (args: string[], rig = project): Promise<RunResult> => rig.run(['--json', ...args], env);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const started = (r: RunResult) => r.of('started');

test.after.always(() => {
  project.dispose();
});

test.serial('server-mini builds from an empty store with every stage, and records what it is made of', async (t) => {
  const r = await build(GOALS);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  t.deepEqual(started(r), [
    'server-mini-test.iso',
    'server-mini-test.tar',
    'server-mini-test/boot-files',
    'server-mini-test/bootstrap',
    'server-mini-test/cleanup',
    'server-mini-test/hooks',
    'server-mini-test/overlay',
    'server-mini-test/squashfs',
  ]);
  const iso = join(out, 'server-mini-test.iso');
  t.true(existsSync(iso));
  const manifest = JSON.parse(readFileSync(`${iso}.manifest.json`, 'utf8')) as { sha256: string; packages: Array<{ name: string; version: string }>; stages: Array<{ stage: string; digest: string }> };
  t.is(manifest.sha256, sha256(iso));
  t.true(manifest.packages.some((p) => p.name === 'openssh-server' && p.version !== ''));
  t.true(manifest.packages.some((p) => p.name === 'linux-image-amd64'));
  t.deepEqual(manifest.stages.map((s) => s.stage), ['bootstrap', 'overlay', 'hooks', 'cleanup', 'squashfs', 'boot-files', 'iso']);
  t.true(manifest.stages.every((s) => /^[0-9a-f]{64}$/.test(s.digest)));
  const more = manifest as unknown as { dirty: boolean | null; features: string[]; hooks: string[]; outputs: string[]; root: string; store: string };
  t.is(more.dirty, null, 'the copy of the project is no git checkout');
  t.true(more.features.includes('ssh') && more.hooks.some((h) => h.startsWith('ssh/')), JSON.stringify(more));
  t.deepEqual(more.outputs, [iso]);
  t.is(more.root, manifest.stages.find((s) => s.stage === 'cleanup')!.digest);
  t.true(r.stdout.split('\n').some((l) => l.includes('"type":"written"') && l.includes(iso)));
  const ls = await project.run(['ls', 'server-mini-test.iso', '/etc/hostname']);
  t.is(ls.code, 0, ls.stderr);
  t.regex(ls.stdout, /^-rw-r--r-- root:root +\d+ \/etc\/hostname$/m);
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
  t.true(sums.includes(`${sha256(iso)}  server-mini-test.iso`));
  // squashfs and boot-files are independent: they ran side by side.
  const span = (id: string) => {
    const s = r.events.find((e) => e.type === 'started' && e.target === id)!.time;
    const e = r.events.find((e) => e.type === 'succeeded' && e.target === id)!.time;
    return [s, e] as const;
  };
  const [sq0, sq1] = span('server-mini-test/squashfs');
  const [bf0, bf1] = span('server-mini-test/boot-files');
  t.true(sq0 < bf1 && bf0 < sq1, 'squashfs and boot-files overlapped');
});

test.serial('published as a signed release, it boots to a login prompt under BIOS (and logs in), recorded in the release, and under UEFI', async (t) => {
  const key = makeArchiveKey('mkimage-server-mini');
  const root = mkdtempSync(join(tmpdir(), 'mkimage-releases-'));
  t.teardown(() => {
    key.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const gpg = { ...env, GNUPGHOME: key.home };
  const published = await project.run(['publish', 'server-mini-test', '--root', root, '--sign-key', key.uid], gpg);
  t.is(published.code, 0, published.stdout + published.stderr);
  const id = /^published server-mini-test testing (\S+): /m.exec(published.stdout)?.[1] ?? '';
  const release = join(root, 'server-mini-test/testing/releases', id);
  t.is(sha256(join(release, 'images/server-mini-test.iso')), sha256(join(out, 'server-mini-test.iso')));
  const unbooted = await project.run(['promote', 'server-mini-test', '--from', 'testing', '--to', 'production', '--root', root, '--dry-run'], gpg);
  t.is(unbooted.code, 1);
  t.regex(unbooted.stdout, /^ {2}gate boot: FAILED\n {4}server-mini-test\.iso has no boot check/m);
  // The released ISO itself is booted: the record goes into the release, for promotion.
  const bios = await project.run(['boot', join(release, 'images/server-mini-test.iso'), '--login', 'root:mkimage', '--timeout', '400']);
  t.is(bios.code, 0, bios.stdout + bios.stderr);
  t.regex(bios.stdout, /boot ok: BIOS login prompt after .*system (running|degraded).*ssh active \(recorded in the release\)/);
  const dry = await project.run(['promote', 'server-mini-test', '--from', 'testing', '--to', 'production', '--root', root, '--dry-run'], gpg);
  t.is(dry.code, 0, dry.stdout + dry.stderr);
  t.regex(dry.stdout, /^ {2}gate boot: passed\n {4}server-mini-test\.iso: booted \(BIOS: login prompt after /m);
  const iso = join(out, 'server-mini-test.iso');
  const uefi = await project.run(['boot', iso, '--uefi', '--login', 'root:mkimage', '--timeout', '400']);
  t.is(uefi.code, 0, uefi.stdout + uefi.stderr);
  t.regex(uefi.stdout, /boot ok: UEFI login prompt after .*system (running|degraded).*ssh active/);
  t.log(bios.stdout.trim(), uefi.stdout.trim());
  t.deepEqual(qemus(iso), []);
});

// The boot check's failures (src/image/boot/boot-check.ts), on the same ISO: one image
// build less than a file of their own. Each leaves no qemu behind.
const check = (iso: string, changes: Partial<BootCheckOptions>) =>
  bootCheck({ iso, uefi: false, timeoutS: 400, signal: new AbortController().signal, output: () => {}, ...changes });

test.serial('boot check: a wrong password is login-failed', async (t) => {
  const iso = join(out, 'server-mini-test.iso');
  t.like(await check(iso, { login: { user: 'root', password: 'wrong' } }), { ok: false, reason: 'login-failed' });
  t.deepEqual(qemus(iso), []);
});

test.serial('boot check: too short a timeout is a timeout with the last lines, and qemu is killed', async (t) => {
  const iso = join(out, 'server-mini-test.iso');
  const r = await check(iso, { timeoutS: 10 });
  t.like(r, { ok: false, reason: 'timeout' });
  if (!r.ok) t.true(r.lastLines.length > 0);
  t.deepEqual(qemus(iso), []);
});

test.serial('boot check: an abort throws its reason and kills qemu', async (t) => {
  const iso = join(out, 'server-mini-test.iso');
  const controller = new AbortController();
  const checking = check(iso, { signal: controller.signal });
  const until = Date.now() + 30_000;
  while (qemus(iso).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.is(qemus(iso).length, 1);
  controller.abort(new Error('interrupted'));
  await t.throwsAsync(checking, { message: 'interrupted' });
  t.deepEqual(qemus(iso), []);
});

/** qemu processes of the boot check that run this ISO. */
function qemus(iso: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes('mkimage-boot-check') && cmd.includes(iso);
      } catch {
        return false;
      }
    });
}

test.serial('a second build runs nothing', async (t) => {
  const r = await build(GOALS);
  t.is(r.code, 0);
  t.deepEqual(started(r), []);
  t.is(r.of('cached').length, 8);
});

test.serial('a shell in a stage\'s root: writable, in the hooks\' namespaces, and nothing it does reaches the store', async (t) => {
  const sh = await project.run(['shell', 'server-mini-test:hooks', '--', '/bin/sh', '-c', 'echo x > /etc/shell-was-here && rm /etc/hostname && ls /sys/class/net && cat /proc/1/comm']);
  t.is(sh.code, 0, sh.stderr);
  t.is(sh.stdout, 'lo\nsh\n', "no network but lo; PID 1 is the shell's namespace's, not the host's init");
  const again = await project.run(['shell', 'server-mini-test:hooks', '--', 'test', '-e', '/etc/shell-was-here']);
  t.is(again.code, 1, 'a second shell starts from the stored root');
  t.regex(again.stderr, /test -e \/etc\/shell-was-here exited with 1/);
  t.is((await project.run(['ls', 'server-mini-test.iso', '/etc/hostname'])).code, 0);
  const verify = await project.run(['cache', 'verify']);
  t.is(verify.code, 0, verify.stdout);
  t.false(readFileSync('/proc/mounts', 'utf8').includes(project.store), 'nothing stays mounted');
  const bad = await project.run(['shell', 'server-mini-test:squashfs']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /has no stage squashfs \(hint: its roots: server-mini-test\.iso:bootstrap, server-mini-test\.iso:overlay/);
  t.deepEqual(started(await build(GOALS)), [], 'the shells changed nothing the build reads');
});

test.serial('an overlay edit reruns the overlay stage and what depends on it, nothing else', async (t) => {
  const before = join(project.dir, 'before.manifest.json');
  cpSync(join(out, 'server-mini-test.iso.manifest.json'), before);
  appendFileSync(join(project.dir, 'features/net/rootfs/etc/systemd/network/80-dhcp.network'), '# edited by the test\n');
  const r = await build(GOALS);
  t.is(r.code, 0, r.stdout.slice(-2000));
  t.deepEqual(started(r), [
    'server-mini-test.iso',
    'server-mini-test.tar',
    'server-mini-test/boot-files',
    'server-mini-test/cleanup',
    'server-mini-test/hooks',
    'server-mini-test/overlay',
    'server-mini-test/squashfs',
  ]);
  t.deepEqual(r.of('cached'), ['server-mini-test/bootstrap']);
  const diff = await project.run(['diff', before, join(out, 'server-mini-test.iso')]);
  t.is(diff.code, 1, diff.stderr);
  t.deepEqual(diff.stdout.trim().split('\n').slice(2), [
    'packages: 0 added, 0 removed, 0 changed',
    'files: 0 added, 0 removed, 1 changed',
    diff.stdout.trim().split('\n').at(-1)!,
  ]);
  t.regex(diff.stdout.trim().split('\n').at(-1)!, /^ {2}~ \/etc\/systemd\/network\/80-dhcp\.network: content \(\S+ -> \S+\)$/);
});

test.serial('two builds from empty stores give byte-identical ISO and tarball', async (t) => {
  const first = { iso: sha256(join(out, 'server-mini-test.iso')), tar: sha256(join(out, 'server-mini-test.tar.zst')) };
  const again = new ProjectRig({}, mkdtempSync(join(tmpdir(), 'mkimage-store-')));
  t.teardown(() => {
    rmSync(again.store, { recursive: true, force: true });
    again.dispose();
  });
  cpSync(project.dir, again.dir, { recursive: true, filter: (p) => !p.includes('/out') && !p.includes('/.store') });
  const r = await build(GOALS, again);
  t.is(r.code, 0, r.stdout.slice(-2000));
  t.is(sha256(join(again.dir, 'out/server-mini-test.iso')), first.iso);
  t.is(sha256(join(again.dir, 'out/server-mini-test.tar.zst')), first.tar);
});

test.serial('the tarball holds the same root as the ISO\'s squashfs', async (t) => {
  const tarPaths = execFileSync('tar', ['--zstd', '--quoting-style=literal', '-tf', join(out, 'server-mini-test.tar.zst')], { encoding: 'utf8', maxBuffer: 256 << 20 })
    .split('\n').filter(Boolean).map((p) => p.replace(/^\.\/?/, '').replace(/\/$/, '')).filter(Boolean).sort();
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-iso-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', join(out, 'server-mini-test.iso'), '-extract', '/live/filesystem.squashfs', join(dir, 'fs.squashfs')], { stdio: 'ignore' });
  const squashPaths = execFileSync('unsquashfs', ['-l', '-d', '', join(dir, 'fs.squashfs')], { encoding: 'utf8', maxBuffer: 256 << 20 })
    .split('\n').filter(Boolean).map((p) => p.replace(/^\//, '')).filter(Boolean).sort();
  // The squashfs leaves out the kernel and initrd files under boot/ (they are beside it on the ISO).
  const inTarOnly = tarPaths.filter((p) => !squashPaths.includes(p));
  t.true(inTarOnly.every((p) => /^boot\/(vmlinuz|initrd\.img)-/.test(p)), inTarOnly.slice(0, 5).join(' '));
  t.true(squashPaths.every((p) => tarPaths.includes(p)));
  t.true(tarPaths.includes('etc/systemd/network/80-dhcp.network'));
});

// ldap-server takes the project's OpenLDAP 2.6 build (and curl rebuilt against it): minutes of
// compiling, left to `npm run -s bench -- ldap-server`. lb-server shares the same stages.
test.serial('lb-server builds on the stages it shares with server-mini', async (t) => {
  const r = await build(['lb-server.iso']);
  t.is(r.code, 0, r.stdout.slice(-3000));
  t.true(r.of('cached').includes('lb-server/bootstrap'), 'the shared bootstrap came from the store');
  t.true(started(r).includes('lb-server/packages'));
  t.false(started(r).some((id) => id.startsWith('package/')), 'no package build: lb-server does not use the ldap feature');
  t.true(existsSync(join(out, 'lb-server.iso')));
  const manifest = JSON.parse(readFileSync(join(out, 'lb-server.iso.manifest.json'), 'utf8')) as { packages: Array<{ name: string }> };
  const diff = await project.run(['diff', 'server-mini-test.iso', 'lb-server.iso']);
  t.regex(diff.stdout, /^ {2}\+ haproxy \S+$/m, diff.stderr);
  t.regex(diff.stdout, /^ {2}\+ \/usr\/sbin\/haproxy/m);
  t.true(manifest.packages.some((p) => p.name === 'haproxy'));
});

test.serial('server-container.tar: a server root without kernel, initramfs or live-boot, much smaller than server-mini\'s', async (t) => {
  const r = await build(['server-container.tar']);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const paths = execFileSync('tar', ['--zstd', '-tf', join(out, 'server-container.tar.zst')], { encoding: 'utf8', maxBuffer: 256 << 20 }).split('\n');
  t.false(paths.some((p) => /^\.?\/?(boot\/vmlinuz|boot\/initrd|usr\/lib\/modules\/|lib\/live\/)/.test(p)), 'no kernel, modules, initramfs or live-boot');
  t.true(paths.some((p) => p.endsWith('usr/sbin/sshd')));
  const manifest = JSON.parse(readFileSync(join(out, 'server-container.tar.zst.manifest.json'), 'utf8')) as { packages: Array<{ name: string; installedKiB: number }> };
  t.false(manifest.packages.some((p) => /^(linux-image|initramfs-tools|live-boot)/.test(p.name)));
  const mini = JSON.parse(readFileSync(join(out, 'server-mini-test.tar.zst.manifest.json'), 'utf8')) as { packages: Array<{ installedKiB: number }> };
  const mib = (ps: Array<{ installedKiB: number }>) => Math.round(ps.reduce((n, p) => n + p.installedKiB, 0) / 1024);
  t.log(`installed: server-container ${mib(manifest.packages)} MiB, server-mini-test ${mib(mini.packages)} MiB`);
  t.true(mib(manifest.packages) < mib(mini.packages) / 2);
});

test.serial('a feature scaffolded by mkimage new loads, and a distro that needs it builds with its file and hook', async (t) => {
  const made = await project.run(['new', 'feature', 'web-page']);
  t.is(made.code, 0, made.stderr);
  project.write({
    'conf.d/scaffold.ts': `import { distro } from 'mkimage';\nimport { serverMini } from './server.ts';\n\nexport const scaffoldTest = distro('scaffold-test', { description: 'server-mini with the scaffolded feature', needs: [serverMini, 'use/web-page'], images: ['tar'] });\n`,
  });
  const r = await build(['scaffold-test.tar']);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  t.true(r.of('cached').includes('scaffold-test/bootstrap'), 'the bootstrap is server-mini\'s');
  const ls = await project.run(['ls', 'scaffold-test.tar', '/etc/web-page']);
  t.regex(ls.stdout, /\/etc\/web-page\/README$/m);
  const greeting = await project.run(['shell', 'scaffold-test.tar', '--', 'cat', '/etc/web-page/greeting']);
  t.is(greeting.stdout, 'hello from web-page\n', greeting.stderr);
});
