import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLock, type LockedDistro, type LockedPackage } from '../../src/archive/lock-file.ts';
import { describeChanges, ProjectLock } from '../../src/cli/project-lock.ts';
import { lockInputs } from '../../src/image/lock-resolve.ts';
import { debianSource, localSource } from '../../src/dsl/package.ts';
import { testConfig } from '../image/helpers/image-config.ts';

const MIRROR = 'http://127.0.0.1:9/debian';
const pkg = (stage: LockedPackage['stage'], name: string, version: string): LockedPackage => ({
  stage, name, version, architecture: 'amd64', size: 100, sha256: createSha(name + version), mirror: MIRROR, filename: `pool/${name}_${version}.deb`,
});
function createSha(s: string): string {
  return Buffer.from(s).toString('hex').padEnd(64, '0').slice(0, 64);
}

function project(t: { teardown(f: () => void): void }, text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-lockfile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  if (text !== undefined) writeFileSync(join(dir, 'mkimage.lock'), text);
  return dir;
}

const config = testConfig({ name: 'web', mirrors: [MIRROR], basePackages: ['openssh-server'], packages: ['nginx', 'jq'], packageOrigins: { jq: 'features/tools/feature.ts:7 (use/tools)' } });

async function entry(c = config): Promise<LockedDistro> {
  return { inputs: await lockInputs(c), sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: [pkg('bootstrap', 'openssh-server', '1:9.2p1-2'), pkg('packages', 'nginx', '1.22.1-9')] };
}

test('a lock file that does not parse is an error at its line', (t) => {
  const dir = project(t, '# mkimage lock 1\n\ndistro web inputs 0123456789abcdef\npackage web bootstrap zstd 1.5 amd64 12 nothex http://x/ pool/z.deb\n');
  const read = ProjectLock.read(dir);
  t.false(read.ok);
  if (!read.ok) t.deepEqual([read.error.at?.line, /zstd: nothex is not a sha256/.test(read.error.message)], [4, true]);
});

test('an entry resolved for these inputs is current; after a profile edit it is not', async (t) => {
  const dir = project(t, formatLock(new Map([['web', await entry()]])));
  const read = ProjectLock.read(dir);
  if (!read.ok) return t.fail(read.error.message);
  t.truthy(await read.value.current(config));
  t.falsy(await read.value.current({ ...config, packages: ['nginx', 'jq', 'curl'] }));
  t.falsy(await read.value.current({ ...config, mirrors: ['http://127.0.0.1:9/other'] }), 'another mirror is another archive');
});

test('--locked: a package the profile asks for that the lock lacks is named with the mixin that asked; nothing is written', async (t) => {
  const text = formatLock(new Map([['web', await entry({ ...config, packages: ['nginx'] })]]));
  const dir = project(t, text);
  const read = ProjectLock.read(dir);
  if (!read.ok) return t.fail(read.error.message);
  const got = await read.value.forBuild(config, 'locked', false, new AbortController().signal, () => t.fail('nothing to say'));
  t.false(got.ok);
  if (!got.ok) t.is(got.error.message, `--locked: web asks for jq (at features/tools/feature.ts:7 (use/tools)), which ${join(dir, 'mkimage.lock')} does not hold`);
  const none = await read.value.forBuild({ ...config, name: 'db' }, 'locked', false, new AbortController().signal, () => undefined);
  t.regex(none.ok ? '' : none.error.message, /holds no entry for db/);
  t.is(readFileSync(join(dir, 'mkimage.lock'), 'utf8'), text);
});

test('--offline cannot resolve a stale entry; read mode uses only what is current', async (t) => {
  const dir = project(t, formatLock(new Map([['web', await entry({ ...config, packages: ['nginx'] })]])));
  const read = ProjectLock.read(dir);
  if (!read.ok) return t.fail(read.error.message);
  const offline = await read.value.forBuild(config, 'build', true, new AbortController().signal, () => undefined);
  t.regex(offline.ok ? '' : offline.error.message, /^web was locked for other inputs than the profile has now, and --offline cannot resolve it$/);
  const looked = await read.value.forBuild(config, 'read', false, new AbortController().signal, () => undefined);
  t.deepEqual(looked, { ok: true, value: undefined });
});

test('what moved between two entries reads as a changelog', async (t) => {
  const before = await entry();
  const after = { ...before, packages: [pkg('bootstrap', 'openssh-server', '1:9.2p1-2+deb12u1'), pkg('packages', 'jq', '1.6-2.1')] };
  t.is(describeChanges(before, after), '+jq 1.6-2.1, -nginx 1.22.1-9, openssh-server 1:9.2p1-2 -> 1:9.2p1-2+deb12u1');
});

test('a package build is locked for the distros whose profile has its feature; one no locked distro takes stays as it was', async (t) => {
  const ldap = { inputs: '0123456789abcdef', sources: [{ name: 'openldap', version: '2.6.10+dfsg-1', suite: 'trixie', size: 3285, sha256: createSha('openldap'), mirror: MIRROR, dsc: 'pool/main/o/openldap/openldap_2.6.10+dfsg-1.dsc', binaries: ['libldap2', 'slapd'], replaces: ['libldap-2.5-0'] }] };
  const text = formatLock(new Map([['web', await entry()]]), new Map([['openldap', ldap]]));
  const dir = project(t, text);
  const read = ProjectLock.read(dir);
  if (!read.ok) return t.fail(read.error.message);
  const declared = new Map([['openldap', { decl: debianSource('openldap', { from: 'trixie', rebuild: 'dependents' }), feature: 'ldap', patches: [] }]]);
  const target = read.value.buildTarget(config)!;
  t.deepEqual([...target.distros.keys()], ['web']);
  // web does not use the ldap feature: nothing is resolved (the mirror is a closed port), nothing is dropped.
  for (const mode of ['build', 'locked', 'read'] as const) {
    const got = await read.value.forBuilds(declared, target, new Map([['web', new Set(['tools'])]]), mode, false, new AbortController().signal, () => t.fail('nothing to say'));
    t.deepEqual(got, { ok: true, value: new Map() }, mode);
  }
  t.deepEqual(read.value.builds.get('openldap'), { ...ldap, sources: [{ ...ldap.sources[0]!, line: text.split('\n').findIndex((l) => l.startsWith('build openldap source')) + 1 }] });
  // With the feature, the entry locked for other images' packages is stale: --locked says so, at the declaration's line.
  const stale = await read.value.forBuilds(declared, target, new Map([['web', new Set(['ldap'])]]), 'locked', false, new AbortController().signal, () => undefined);
  t.regex(stale.ok ? '' : stale.error.message, /^--locked: the package build openldap is locked for other inputs than the profile has now$/);
});

test("an image with a local source's binary: its entry's inputs are its debian/control's, and it is resolved only once that is built", async (t) => {
  const motd = { decl: localSource('motd', { dir: 'motd' }), feature: 'web', patches: [], local: { dir: '/p/features/web/motd', files: [], executables: [], version: '1.2', binaries: ['motd'], relations: '3333333333333333' } };
  const withMotd = testConfig({ ...config, name: 'web', packages: [...config.packages, 'motd'] });
  const plain = await lockInputs(withMotd);
  const local = await lockInputs({ ...withMotd, local: [{ build: 'motd', relations: '3333333333333333' }] });
  t.not(local, plain);
  t.not(await lockInputs({ ...withMotd, local: [{ build: 'motd', relations: '4444444444444444' }] }), local);
  t.is(await lockInputs({ ...config, local: [] }), await lockInputs(config), 'no local source: the digest of every existing lock stays');
  const dir = project(t, formatLock(new Map([['web', { ...(await entry(withMotd)), inputs: local, local: [{ build: 'motd', name: 'motd', version: '1.2', architecture: 'all' }] }]])));
  const read = ProjectLock.read(dir);
  if (!read.ok) return t.fail(read.error.message);
  t.is(await read.value.current(withMotd), undefined, 'without its local sources the lock cannot tell');
  read.value.useLocalSources(new Map([['motd', motd]]));
  t.truthy(await read.value.current(withMotd));
  // Stale, and nothing to build it with: one line saying what builds it.
  const r = await read.value.resolve(testConfig({ ...withMotd, packages: [...withMotd.packages, 'less'] }), new AbortController().signal);
  t.false(r.ok);
  if (!r.ok) t.is(r.error.message, 'web installs the local source motd: its lock is resolved once that is built');
});
