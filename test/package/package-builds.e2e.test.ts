// The user's own packages end to end, with real Debian sources that build in seconds: jansson
// with a patch of ours (objects print as `"key" => value`) makes jshon rebuild against it; the
// rebuilt jshon, run in the image root, shows the patch. A no-op runs nothing; editing the patch
// reruns jansson, jshon and the image and nothing else; a second empty store, filled by mkimage
// fetch and built with no network, gives the same .debs and image; build dependencies are locked; a source the archive lacks and a patch that does not apply are one-line errors;
// package builds are goals of their own, independent ones built at once under -j 2.

import test from 'ava';
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeArchiveKey } from '../helpers/archive-key.ts';
import { freePorts, runNginx } from '../helpers/nginx.ts';
import { runInTarball } from '../helpers/image-root.ts';
import { BIN, ProjectRig, result, type RunResult } from '../helpers/project-rig.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/own-packages/', import.meta.url));
const ARROW = readFileSync(join(EXAMPLE, 'features/jansson/patches/arrow.patch'), 'utf8');
const FEATURE = readFileSync(join(EXAMPLE, 'features/jansson/feature.ts'), 'utf8');
const DISTRO = readFileSync(join(EXAMPLE, 'conf.d/json-tools.ts'), 'utf8');
const env = { SOURCE_DATE_EPOCH: '1700000000' };
/** A patch to jansson's debian/control adding a build dependency bookworm does not have. */
const NEEDS_ZOMBIE = `--- a/debian/control
+++ b/debian/control
@@ -2,7 +2,7 @@
 Section: libs
 Priority: optional
 Maintainer: Alessandro Ghedini <ghedo@debian.org>
-Build-Depends: debhelper-compat (= 13),
+Build-Depends: debhelper-compat (= 13), python3-zombie-imp,
 Build-Depends-Indep: python3-sphinx (>= 1.0)
 Standards-Version: 4.6.0
 Rules-Requires-Root: no
`;

/** The example project (examples/own-packages), as the test's own copy. */
function example(store: string): ProjectRig {
  const r = new ProjectRig({}, store);
  cpSync(EXAMPLE, r.dir, { recursive: true });
  return r;
}

const rig = example(join(mkdtempSync('/var/tmp/mkimage-packages-'), 'store'));
const build = (r = rig, args: string[] = ['json-tools.tar']): Promise<RunResult> => r.run(['--json', ...args], env);
const digests = (r: RunResult) => Object.fromEntries(r.events.flatMap((e) => (e.type === 'succeeded' || e.type === 'cached' ? [[e.target, e.digest]] : [])));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
let first: RunResult;

/** What jshon prints for `{"a":1}` inside the image root the tarball holds. */
const jshonInImage = (r: ProjectRig): string => runInTarball(r.path('out/json-tools.tar.zst'), ['jshon'], '{"a":1}');

test.after.always(() => {
  rmSync(join(rig.store, '..'), { recursive: true, force: true });
  rig.dispose();
});

test.serial('jansson patched, jshon rebuilt against it, the image takes both: the rebuilt jshon shows the patch', async (t) => {
  first = await build();
  t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
  const started = first.of('started');
  for (const id of ['buildd/bookworm-amd64', 'package/jansson/source', 'package/jansson/build-deps', 'package/jansson', 'package/jshon/build-deps', 'package/jshon', 'json-tools/packages', 'json-tools.tar']) t.true(started.includes(id), id);
  t.is(jshonInImage(rig), '{\n "a" => 1\n}\n');
  const lock = readFileSync(rig.path('mkimage.lock'), 'utf8');
  t.regex(lock, /^build jansson source jansson 2\.14-\S+ bookworm \d+ [0-9a-f]{64} http:\/\/deb\.debian\.org\/debian pool\/main\/j\/jansson\/jansson_\S+\.dsc libjansson-dev,libjansson-doc,libjansson4$/m);
  t.regex(lock, /^build jansson source jshon \S+ bookworm .* jshon$/m);
  t.regex(lock, /^buildd bookworm-amd64 package dpkg-dev \S+ all \d+ [0-9a-f]{64} /m);
  // What each build installs on it, pinned; jshon's libjansson-dev is ours (jansson's repository), not the archive's.
  t.regex(lock, /^build-deps jansson package debhelper \S+ all \d+ [0-9a-f]{64} http:\/\/deb\.debian\.org\/debian pool\/main\/d\/debhelper\/\S+\.deb$/m);
  t.regex(lock, /^build-deps jshon inputs [0-9a-f]{16}$/m);
  t.notRegex(lock, /^build-deps jshon package libjansson/m);
  const root = mkdtempSync('/var/tmp/mkimage-dpkg-');
  try {
    execFileSync('tar', ['-C', root, '--zstd', '-xf', rig.path('out/json-tools.tar.zst'), './var/lib/dpkg/status']);
    const status = readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8');
    t.regex(status, /Package: libjansson4\n(?:.+\n)*?Version: 2\.14-\S+\+mkimage1\n/);
    t.regex(status, /Package: jshon\n(?:.+\n)*?Version: \S+\+mkimage1\+b1\n/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.serial('a build with nothing changed runs nothing', async (t) => {
  const r = await build();
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.of('started'), []);
});

test.serial('publish: a signed release of json-tools with the image, its manifest, the lock and a repository of our jansson and jshon; the same bytes again make none', async (t) => {
  const key = makeArchiveKey('mkimage-release');
  const root = mkdtempSync('/var/tmp/mkimage-publish-');
  t.teardown(() => {
    key.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const publish = () => rig.run(['--json', 'publish', 'json-tools.tar', '--root', root, '--sign-key', key.uid], { ...env, GNUPGHOME: key.home });
  const r = await publish();
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const id = /^published json-tools testing (\d{8}-[0-9a-f]{12}): /m.exec(r.stdout)?.[1];
  if (!id) return t.fail(r.stdout);
  const dir = join(root, 'json-tools/testing/releases', id);
  t.deepEqual(readdirSync(join(dir, 'images')).sort(), ['json-tools.tar.zst', 'json-tools.tar.zst.manifest.json']);
  t.is(sha256(join(dir, 'images/json-tools.tar.zst')), sha256(rig.path('out/json-tools.tar.zst')), 'the bytes that were built');
  t.deepEqual(readdirSync(join(dir, 'repo/pool')).map((f) => f.replace(/_.*/, '')).sort(), ['jshon', 'libjansson4'], 'what the image installs of our builds');
  // A host that has the release's key checks SHA256SUMS and the repository's InRelease.
  const keyring = join(root, 'host.gpg');
  execFileSync('gpg', ['--batch', '--quiet', '--no-default-keyring', '--keyring', keyring, '--import', join(dir, 'signing-key.asc')], { stdio: 'ignore' });
  t.notThrows(() => execFileSync('gpgv', ['--keyring', keyring, join(dir, 'SHA256SUMS.asc'), join(dir, 'SHA256SUMS')], { stdio: 'pipe' }));
  t.notThrows(() => execFileSync('gpgv', ['--keyring', keyring, join(dir, 'repo/InRelease')], { stdio: 'pipe' }));
  t.notThrows(() => execFileSync('sha256sum', ['--check', '--quiet', 'SHA256SUMS'], { cwd: dir, stdio: 'pipe' }));
  t.regex(readFileSync(join(dir, 'repo/Packages'), 'utf8'), /^Package: libjansson4\n(?:.+\n)*?Version: 2\.14-\S+\+mkimage1\n/m);
  t.is(readlinkSync(join(root, 'json-tools/testing/current')), `releases/${id}`);

  const again = await publish();
  t.is(again.code, 0, again.stderr);
  t.true(again.of('cached').includes('json-tools.tar'));
  t.deepEqual(again.of('started'), [], 'nothing is built again');
  t.regex(again.stdout, new RegExp(`json-tools testing: the same bytes are release ${id} already`));
  t.deepEqual(readdirSync(join(root, 'json-tools/testing/releases')), [id]);
  const listed = await rig.run(['releases', '--root', root]);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, new RegExp(`^json-tools testing\n\\* ${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  json-tools\\.tar\\.zst \\S+; \\d+ packages, 2 of ours$`, 'm'));
  const back = await rig.run(['rollback', 'json-tools', '--edition', 'testing', '--root', root]);
  t.is(back.code, 1);
  t.regex(back.stderr, new RegExp(`json-tools testing has no release before ${id} to go back to`));
  const typo = await rig.run(['rollback', 'json-tools', '--edition', 'testin', '--root', root]);
  t.is(typo.code, 2);
  t.regex(typo.stderr, /json-tools has no edition testin in .* \(it has testing\) \(hint: did you mean testing\?\)/);
});

/** A CA (`NAME.crt`, `NAME.key`) in `dir`, and certificates it signs. */
function ca(dir: string, name: string): { sign(cert: string, cn: string, san?: string): void } {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  return {
    sign(cert, cn, san) {
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${cert}.key`, '-out', `${cert}.csr`);
      if (san) writeFileSync(join(dir, `${cert}.ext`), `subjectAltName=${san}\n`);
      ssl('x509', '-req', '-in', `${cert}.csr`, '-CA', `${name}.crt`, '-CAkey', `${name}.key`, '-CAcreateserial', '-days', '2', '-out', `${cert}.crt`, ...(san ? ['-extfile', `${cert}.ext`] : []));
    },
  };
}

test.serial('promoted to production and served by nginx: a production certificate fetches production and is refused on testing; apt in a root installs our jshon from it, signature checked', async (t) => {
  const key = makeArchiveKey('mkimage-serve');
  const work = mkdtempSync('/var/tmp/mkimage-serve-');
  const mounts: string[] = [];
  let nginx: { stop(): Promise<void> } | undefined;
  t.teardown(async () => {
    await nginx?.stop();
    for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
    key.dispose();
    rmSync(work, { recursive: true, force: true });
  });
  const root = join(work, 'root');
  const gpg = { ...env, GNUPGHOME: key.home };
  const published = await rig.run(['publish', 'json-tools.tar', '--root', root, '--sign-key', key.uid], gpg);
  t.is(published.code, 0, published.stdout + published.stderr);
  const promoted = await rig.run(['promote', 'json-tools', '--from', 'testing', '--to', 'production', '--root', root], gpg);
  t.is(promoted.code, 0, promoted.stdout + promoted.stderr);
  t.regex(promoted.stdout, /gate installable: passed\n {4}dose-distcheck: the 2 packages of repo\/ install against the archive/);

  const tls = join(work, 'tls');
  mkdirSync(tls);
  ca(tls, 'ca').sign('server', '127.0.0.1', 'IP:127.0.0.1');
  ca(tls, 'clients-production-ca').sign('client-production', 'host-p1');
  ca(tls, 'clients-testing-ca').sign('client-testing', 'host-t1');
  const [production, testing] = await freePorts(2);
  const serve = async (edition: string, port: number) => {
    const r = await rig.run(['serve-config', '--edition', edition, '--root', root, '--server-name', `127.0.0.1:${port}`, '--listen', `127.0.0.1:${port}`, '--tls', tls, '--out', join(work, edition)]);
    t.is(r.code, 0, r.stderr);
    return readFileSync(join(work, edition, `mkimage-${edition}.conf`), 'utf8');
  };
  nginx = await runNginx([await serve('production', production!), await serve('testing', testing!)], production!);
  const get = (port: number, path: string, as?: string) =>
    execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(tls, 'ca.crt'), ...(as ? ['--cert', join(tls, `${as}.crt`), '--key', join(tls, `${as}.key`)] : []), `https://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  t.is(get(production!, '/json-tools/current/SHA256SUMS', 'client-production'), '200');
  t.is(get(production!, '/json-tools/current/repo/InRelease', 'client-production'), '200');
  t.is(get(testing!, '/json-tools/current/SHA256SUMS', 'client-production'), '400', "a production host is refused on testing");
  t.is(get(production!, '/json-tools/current/SHA256SUMS', 'client-testing'), '400', 'a testing host is refused on production');
  t.is(get(production!, '/json-tools/current/SHA256SUMS'), '400', 'no certificate, no release');
  t.is(get(testing!, '/json-tools/current/SHA256SUMS', 'client-testing'), '200');
  t.is(get(production!, '/json-tools/.locks/', 'client-production'), '404');

  // A production host: the image's own root, with what serve-config gave its hosts and a production client certificate.
  const host = join(work, 'host');
  mkdirSync(host);
  execFileSync('tar', ['-C', host, '--zstd', '-xf', rig.path('out/json-tools.tar.zst')]);
  cpSync(join(work, 'production/host'), join(host, 'etc/mkimage'), { recursive: true });
  cpSync(join(tls, 'client-production.crt'), join(host, 'etc/mkimage/client.crt'));
  cpSync(join(tls, 'client-production.key'), join(host, 'etc/mkimage/client.key'));
  // apt fetches as _apt: the key is its to read.
  execFileSync('chroot', [host, 'chown', '_apt', '/etc/mkimage/client.key']);
  cpSync(join(host, 'etc/mkimage/apt.conf'), join(host, 'etc/apt/apt.conf.d/90mkimage'));
  rmSync(join(host, 'etc/apt/sources.list'), { force: true });
  rmSync(join(host, 'etc/apt/sources.list.d'), { recursive: true, force: true });
  mkdirSync(join(host, 'etc/apt/sources.list.d'));
  cpSync(join(host, 'etc/mkimage/sources.list'), join(host, 'etc/apt/sources.list.d/mkimage.list'));
  for (const [what, args] of [['dev', ['--bind', '/dev']], ['proc', ['-t', 'proc', 'proc']]] as const) {
    execFileSync('mount', [...args, join(host, what)]);
    mounts.push(join(host, what));
  }
  const apt = (...args: string[]) => execFileSync('chroot', [host, 'apt-get', ...args], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive' } });
  t.regex(apt('update'), new RegExp(`Get:1 https://127\\.0\\.0\\.1:${production}/json-tools/current/repo \\./ InRelease`));
  const installed = apt('install', '--reinstall', '--yes', 'jshon');
  t.regex(installed, new RegExp(`Get:1 https://127\\.0\\.0\\.1:${production}/json-tools/current/repo \\./ jshon \\S+\\+mkimage1\\+b1`));
  t.is(execFileSync('chroot', [host, 'jshon'], { input: '{"a":1}', encoding: 'utf8' }), '{\n "a" => 1\n}\n');
  // The release's key is what apt checks the repository with: with another key there, it is refused.
  const other = makeArchiveKey('mkimage-other');
  try {
    writeFileSync(join(host, 'etc/mkimage/keyrings/json-tools.asc'), execFileSync('gpg', ['--homedir', other.home, '--armor', '--export']));
  } finally {
    other.dispose();
  }
  rmSync(join(host, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(host, 'var/lib/apt/lists/partial'), { recursive: true });
  const refused = (() => {
    try {
      apt('update', '-o', 'APT::Update::Error-Mode=any');
      return '';
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  })();
  t.regex(refused, /InRelease' is not signed|NO_PUBKEY/);
});

test.serial('graph --stages draws the builds: jansson from its feature, jshon against it, both into the packages stage', async (t) => {
  const r = await rig.run(['graph', 'json-tools.tar', '--stages']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^package builds:\n {2}jansson 2\.14-\S+\+mkimage1 {2}<- feature jansson\n {2}jshon \S+\+mkimage1\+b1 {2}<- jansson$/m);
  const json = JSON.parse((await rig.run(['graph', 'json-tools.tar', '--stages', '--format', 'json'])).stdout) as { edges: Array<{ from: string; to: string }> };
  const edges = json.edges.map((e) => `${e.from} -> ${e.to}`);
  for (const e of ['feature:jansson -> package:jansson', 'package:jansson -> package:jshon', 'package:jansson -> stage:packages', 'package:jshon -> stage:packages']) t.true(edges.includes(e), e);
});

test.serial('a second build from an empty store, offline once mkimage fetch filled its pool, gives byte-identical .debs and image', async (t) => {
  const again = example(join(mkdtempSync('/var/tmp/mkimage-packages-'), 'store'));
  try {
    again.write({ 'mkimage.lock': readFileSync(rig.path('mkimage.lock'), 'utf8') });
    const fetched = await again.run(['fetch'], env);
    t.is(fetched.code, 0, fetched.stdout + fetched.stderr);
    t.regex(fetched.stdout, /^2 locked sources, [1-9]\d* files: [1-9]\d* fetched and checked/m);
    // Then the whole chain in a network namespace with no network at all: the chroot, the
    // sources, the build dependencies and the image's packages all come from the pool.
    const r = await new Promise<RunResult>((done) => {
      execFile('unshare', ['--net', '--', process.execPath, BIN, '--store', again.store, '--json', '--offline', 'json-tools.tar'], { cwd: again.dir, env: { ...process.env, ...env, CI: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        done(result(error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr)),
      );
    });
    t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    const a = digests(first);
    const b = digests(r);
    // The .debs (the builds' outputs are digests of their files) and the image; the roots between
    // are not compared: apt's and dpkg's logs in them carry the time, and cleanup removes them.
    for (const id of ['package/jansson', 'package/jshon', 'json-tools.tar']) t.is(b[id], a[id], id);
    t.is(sha256(again.path('out/json-tools.tar.zst')), sha256(rig.path('out/json-tools.tar.zst')));
  } finally {
    rmSync(join(again.store, '..'), { recursive: true, force: true });
    again.dispose();
  }
});

test.serial('editing the patch: --explain names it; the build reruns jansson, jshon and the image, and nothing else', async (t) => {
  rig.write({ 'features/jansson/patches/arrow.patch': ARROW.replaceAll(' => ', ' -> ') });
  const dry = await rig.run(['-n', '--explain', 'json-tools.tar'], env);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /package\/jansson\/source: file features\/jansson\/patches\/arrow\.patch changed/);
  const r = await build();
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const started = r.of('started');
  for (const id of ['package/jansson/source', 'package/jansson', 'package/jshon/build-deps', 'package/jshon', 'json-tools/packages', 'json-tools.tar']) t.true(started.includes(id), id);
  for (const id of ['buildd/bookworm-amd64', 'package/jansson/build-deps', 'package/jshon/source', 'json-tools/bootstrap']) t.false(started.includes(id), id);
  t.is(jshonInImage(rig), '{\n "a" -> 1\n}\n');
});

test.serial('a patch that does not apply names the patch and its hunk, and the image stays as it was', async (t) => {
  const before = sha256(rig.path('out/json-tools.tar.zst'));
  rig.write({ 'features/jansson/patches/arrow.patch': ARROW.replaceAll('separator = ": ";', 'separator = "::";') });
  const r = await build();
  // Found while the lock reads its Build-Depends (the patched source), before anything is built.
  t.is(r.code, 2);
  t.regex(r.stdout + r.stderr, /patch arrow\.patch does not apply to jansson 2\.14-\S+: Hunk #1 FAILED at \d+ of src\/dump\.c/);
  t.is(sha256(rig.path('out/json-tools.tar.zst')), before);
});

test.serial('a source the archive does not have: did-you-mean, at the line that declared it, and the lock is as it was', async (t) => {
  rig.write({ 'features/jansson/patches/arrow.patch': ARROW });
  const lock = readFileSync(rig.path('mkimage.lock'), 'utf8');
  rig.write({ 'features/jansson/feature.ts': FEATURE.replace("debianSource('jansson'", "debianSource('janson'") });
  const r = await build();
  t.is(r.code, 2);
  const line = (r.stdout + r.stderr).split('\n').find((l) => l.includes('janson'))!;
  t.regex(line, /features\/jansson\/feature\.ts:5:\d+: package janson: no source package janson in bookworm .*did you mean jansson\?/);
  t.is(readFileSync(rig.path('mkimage.lock'), 'utf8'), lock);
});

test.serial('a patch that changes Build-Depends: --locked refuses the stale set, and the lock moves it', async (t) => {
  rig.write({
    'features/jansson/feature.ts': FEATURE.replace("patches: ['patches/arrow.patch']", "patches: ['patches/arrow.patch', 'patches/needs.patch']"),
    'features/jansson/patches/needs.patch': NEEDS_ZOMBIE.replace('python3-zombie-imp', 'pkgconf'),
  });
  const before = readFileSync(rig.path('mkimage.lock'), 'utf8');
  t.notRegex(before, /^build-deps jansson package pkgconf /m);
  const refused = await build(rig, ['--locked', 'json-tools.tar']);
  t.is(refused.code, 2, refused.stderr);
  t.regex(refused.stderr, /features\/jansson\/feature\.ts:5:\d+: --locked: the build dependencies of jansson are locked for another Build-Depends, chroot or profiles \(hint: mkimage lock updates the lock\)/);
  t.is(readFileSync(rig.path('mkimage.lock'), 'utf8'), before);
  const locked = await rig.run(['lock'], env);
  t.is(locked.code, 0, locked.stderr);
  t.regex(locked.stdout + locked.stderr, /mkimage\.lock: the build dependencies of jansson re-locked: .*\+pkgconf \S+/);
  t.regex(readFileSync(rig.path('mkimage.lock'), 'utf8'), /^build-deps jansson package pkgconf \S+ \S+ \d+ [0-9a-f]{64} /m);
});

test.serial('a build dependency the suite cannot satisfy is named, at the declaration, and the image and the lock stay as they were', async (t) => {
  const before = sha256(rig.path('out/json-tools.tar.zst'));
  const lock = readFileSync(rig.path('mkimage.lock'), 'utf8');
  // A patch of ours that asks for a build dependency bookworm lacks (trixie has it).
  rig.write({
    'features/jansson/feature.ts': FEATURE.replace("patches: ['patches/arrow.patch']", "patches: ['patches/arrow.patch', 'patches/needs.patch']"),
    'features/jansson/patches/needs.patch': NEEDS_ZOMBIE,
  });
  const r = await build();
  // Found while its build dependencies are locked, before anything is built.
  t.is(r.code, 2);
  const line = (r.stdout + r.stderr).split('\n').find((l) => l.includes('cannot be satisfied'));
  t.regex(line ?? '', /features\/jansson\/feature\.ts:5:\d+: jansson: a build dependency cannot be satisfied on bookworm: python3-zombie-imp\b/);
  t.is(sha256(rig.path('out/json-tools.tar.zst')), before);
  t.is(readFileSync(rig.path('mkimage.lock'), 'utf8'), lock);
});

/**
 * "jansson 2.14.1": Debian's orig tarball of 2.14 with what the test calls the new upstream's
 * changes (it indents with tabs, and it has the fix Debian carries as a patch), packed as the
 * project would ship it.
 */
function upstreamTarball(dir: string): string {
  execFileSync('curl', ['-fsS', '-o', join(dir, 'orig.tar.gz'), 'http://deb.debian.org/debian/pool/main/j/jansson/jansson_2.14.orig.tar.gz']);
  execFileSync('tar', ['-C', dir, '-xzf', join(dir, 'orig.tar.gz')]);
  const tree = join(dir, 'jansson-2.14.1');
  renameSync(join(dir, 'jansson-2.14'), tree);
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(tree, file), 'utf8');
    if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
    writeFileSync(join(tree, file), text.replace(from, to));
  };
  edit('src/dump.c', 'static const char whitespace[] = "                                ";', `static const char whitespace[] = "${'\\t'.repeat(32)}";`);
  edit('test/suites/api/check-exports', "grep -v '^_' | sort", "grep -v '^_' | sed 's/@@libjansson.*//' | sort");
  const tarball = join(dir, 'jansson-2.14.1.tar.gz');
  execFileSync('tar', ['-C', dir, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-czf', tarball, 'jansson-2.14.1']);
  return tarball;
}

test.serial("another upstream version from a tarball of the project: one that differs from its sha256 is refused; Debian's patch it already has is named, then left out; the image takes 2.14.1-0+mkimage1", async (t) => {
  const before = sha256(rig.path('out/json-tools.tar.zst'));
  const work = mkdtempSync('/var/tmp/mkimage-upstream-');
  try {
    const tarball = upstreamTarball(work);
    mkdirSync(rig.path('features/jansson/upstream'));
    cpSync(tarball, rig.path('features/jansson/upstream/jansson-2.14.1.tar.gz'));
    const declare = (digest: string, extra = '') =>
      rig.write({ 'features/jansson/feature.ts': FEATURE.replace("patches: ['patches/arrow.patch']", `patches: ['patches/arrow.patch'], upstream: { tarball: 'upstream/jansson-2.14.1.tar.gz', version: '2.14.1', sha256: '${digest}' }${extra}`) });
    const right = sha256(tarball);
    declare('0'.repeat(64));
    const wrong = await build();
    t.is(wrong.code, 2);
    t.regex(wrong.stdout + wrong.stderr, new RegExp(`package jansson: upstream tarball jansson-2\\.14\\.1\\.tar\\.gz has sha256 ${right}, not the declared 0{64} \\(declared at features/jansson/feature\\.ts:5\\)`));
    t.is(sha256(rig.path('out/json-tools.tar.zst')), before);

    declare(right);
    const applied = await build();
    t.is(applied.code, 2);
    t.regex(applied.stdout + applied.stderr, /Debian's patch 0677666f65b988b2dd44d02966a08fea490d5883\.patch does not apply to jansson upstream 2\.14\.1: it is applied already \(to test\/suites\/api\/check-exports\)/);
    t.regex(applied.stdout + applied.stderr, /dropPatches: \['0677666f65b988b2dd44d02966a08fea490d5883\.patch'\] leaves it out/);

    declare(right, ", dropPatches: ['0677666f65b988b2dd44d02966a08fea490d5883.patch']");
    const r = await build();
    t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    for (const id of ['package/jansson/source', 'package/jansson', 'package/jshon', 'json-tools.tar']) t.true(r.of('started').includes(id), id);
    t.is(jshonInImage(rig), '{\n\t"a" => 1\n}\n', "upstream's tabs and our patch's arrow, through the rebuilt jshon");
    const status = execFileSync('tar', ['--zstd', '-xOf', rig.path('out/json-tools.tar.zst'), './var/lib/dpkg/status'], { encoding: 'utf8' });
    t.regex(status, /Package: libjansson4\n(?:.+\n)*?Version: 2\.14\.1-0\+mkimage1\n/);
    t.regex(status, /Package: jshon\n(?:.+\n)*?Version: \S+\+mkimage1\+b1\n/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.serial('package builds as goals: two independent ones run at once under -j 2, their repositories in out/', async (t) => {
  rig.write({
    'features/jansson/feature.ts': FEATURE,
    'features/extra/feature.ts': `import { debianSource, feature, mixin } from 'mkimage';

export default feature({
  description: 'two more of our own builds, independent of each other',
  packages: [debianSource('hello', { buildOptions: ['nocheck'] }), debianSource('cowsay', { buildOptions: ['nocheck'] })],
  mixins: [mixin('use/extra')],
});
`,
    'conf.d/json-tools.ts': DISTRO.replace("add('PACKAGES', 'jshon'),", "add('PACKAGES', 'jshon', 'hello', 'cowsay'),").replace("needs: ['use/jansson']", "needs: ['use/jansson', 'use/extra']"),
  });
  const unlocked = await build(rig, ['package/hello']);
  t.is(unlocked.code, 2);
  t.regex(unlocked.stderr, /features\/extra\/feature\.ts:\d+:\d+: package\/hello is not locked yet/);
  const unknown = await build(rig, ['package/helo']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no package build helo: .*did you mean package\/hello\?/);
  const locked = await rig.run(['lock']);
  t.is(locked.code, 0, locked.stdout + locked.stderr);
  const r = await build(rig, ['-j', '2', 'package/hello', 'package/cowsay']);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  // Each build's steps, from its first start to its last end, by the order of the events.
  const span = (name: string) => {
    const mine = r.events.flatMap((e, i) => ((e.type === 'started' || e.type === 'succeeded') && e.target.startsWith(`package/${name}`) ? [i] : []));
    return [Math.min(...mine), Math.max(...mine)] as const;
  };
  const [helloFrom, helloTo] = span('hello');
  const [cowsayFrom, cowsayTo] = span('cowsay');
  t.true(helloFrom < cowsayTo && cowsayFrom < helloTo, 'the two builds overlap');
  t.false(r.of('started').some((id) => !id.startsWith('package/hello') && !id.startsWith('package/cowsay')), `only the two builds run: ${r.of('started').join(' ')}`);
  const deb = readdirSync(rig.path('out/package/hello/pool')).find((f) => /^hello_\S+\+mkimage1_amd64\.deb$/.test(f));
  t.truthy(deb, 'out/package/hello/pool holds our hello');
  t.true(readdirSync(rig.path('out/package/cowsay/pool')).some((f) => /^cowsay_\S+\+mkimage1_all\.deb$/.test(f)));
  const root = mkdtempSync('/var/tmp/mkimage-hello-');
  try {
    execFileSync('dpkg-deb', ['-x', rig.path(`out/package/hello/pool/${deb}`), root]);
    t.is(execFileSync(join(root, 'usr/bin/hello'), { encoding: 'utf8' }), 'Hello, world!\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
