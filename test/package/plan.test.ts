// The locked builds as configs and engine targets: versions, what only the declared source
// gets, build order, the shared chroot, and which builds an image takes.

import test from 'ava';
import type { LockedBuilds, LockedSourcePackage } from '../../src/archive/lock-builds.ts';
import { debianSource, localSource } from '../../src/dsl/package.ts';
import type { PackageBuildConfig } from '../../src/package/config.ts';
import { builtFor, packageBuildConfigs, packageTargets, sharedBinary, type PackagePlanInput } from '../../src/package/plan.ts';
import type { PackageBuild } from '../../src/profile/package-decls.ts';

const MIRROR = 'http://deb.debian.org/debian';
const FEATURE = '/p/features/json';

const source = (name: string, version: string, binaries: string[], suite = 'bookworm', line?: number): LockedSourcePackage => ({
  name, version, suite, size: 2071, sha256: '0'.repeat(64), mirror: MIRROR, dsc: `pool/main/${name[0]}/${name}/${name}_${version}.dsc`, binaries, ...(line !== undefined && { line }),
});

const JANSSON: PackageBuild = {
  decl: debianSource('jansson', { patches: ['patches/arrow.patch', 'patches/strict.patch'], profiles: ['nodoc'], buildOptions: ['nocheck'], configureOptions: ['--enable-x'], rebuild: 'dependents', reason: 'Objects print as "key" => value.' }),
  feature: 'json',
  patches: [`${FEATURE}/patches/arrow.patch`, `${FEATURE}/patches/strict.patch`],
};
const LIBYAML: PackageBuild = {
  decl: debianSource('libyaml', { from: 'trixie', suffix: '+local2', rebuild: 'dependents' }),
  feature: 'yaml',
  patches: [],
};

const LOCKED: LockedBuilds = new Map([
  ['libyaml', { inputs: '1111111111111111', sources: [source('libyaml', '0.2.5-1', ['libyaml-0-2', 'libyaml-dev'], 'trixie', 20)] }],
  ['jansson', { inputs: '2222222222222222', sources: [source('jansson', '2.14-2', ['libjansson-dev', 'libjansson-doc', 'libjansson4'], 'bookworm', 17), source('jshon', '20131010-3', ['jshon'], 'bookworm', 18)] }],
]);

const INPUT: PackagePlanInput = {
  builds: new Map([['libyaml', LIBYAML], ['jansson', JANSSON], ['unlocked', { decl: debianSource('unlocked'), feature: 'x', patches: [] }]]),
  locked: LOCKED,
  suite: 'bookworm',
  mirror: MIRROR,
  sourceDateEpoch: 1700000000,
};

test('each locked source becomes a config: the declared one patched and suffixed, its dependent a +b1 rebuild after it', (t) => {
  const configs = packageBuildConfigs(INPUT);
  t.deepEqual(configs.map((c) => [c.name, c.build, c.version]), [
    ['jansson', 'jansson', '2.14-2+mkimage1'],
    ['jshon', 'jansson', '20131010-3+mkimage1+b1'],
    ['libyaml', 'libyaml', '0.2.5-1+local2'],
  ]);
  const [jansson, jshon, libyaml] = configs as [PackageBuildConfig, PackageBuildConfig, PackageBuildConfig];
  t.deepEqual(jansson.patches, [`${FEATURE}/patches/arrow.patch`, `${FEATURE}/patches/strict.patch`]);
  t.deepEqual(jshon.patches, [], 'patches are for the declared source only');
  t.deepEqual([jansson.profiles, jshon.profiles], [['nodoc'], []]);
  t.deepEqual([jansson.configureOptions, jshon.configureOptions], [['--enable-x'], []]);
  t.deepEqual([jansson.buildOptions, jshon.buildOptions], [['nocheck'], ['nocheck']]);
  t.deepEqual([jansson.after, jshon.after, libyaml.after], [[], ['jansson'], []]);
  t.deepEqual(jansson.changes, ['Objects print as "key" => value.', 'Patch: arrow.patch.', 'Patch: strict.patch.', 'Configure option: --enable-x']);
  t.deepEqual(jshon.changes, ['Rebuilt against jansson 2.14-2+mkimage1.']);
  t.deepEqual(libyaml.changes, ['Rebuilt by mkimage.', 'Backported from trixie.']);
  t.deepEqual([jansson.suite, libyaml.suite, libyaml.source.suite], ['bookworm', 'bookworm', 'trixie'], 'built for the image suite, from the suite it was found in');
  t.is(jshon.source, LOCKED.get('jansson')!.sources[1]!);
  t.is(jansson.sourceDateEpoch, 1700000000);
});

test('another upstream version: revision 0 with the suffix, the tarball and dropped patches in the changelog, dependents rebuilt against that version', (t) => {
  const tarball = `${FEATURE}/upstream/jansson-2.14.1.tar.gz`;
  const upstream: PackageBuild = {
    decl: debianSource('jansson', { upstream: { tarball: 'upstream/jansson-2.14.1.tar.gz', version: '2.14.1', sha256: 'ab'.repeat(32) }, dropPatches: ['0001-fix.patch'], rebuild: 'dependents', reason: 'Jansson 2.14.1.' }),
    feature: 'json',
    patches: [],
    upstream: tarball,
  };
  const [jansson, jshon] = packageBuildConfigs({ ...INPUT, builds: new Map([['jansson', upstream]]) }) as [PackageBuildConfig, PackageBuildConfig];
  t.is(jansson.version, '2.14.1-0+mkimage1');
  t.deepEqual(jansson.upstream, { path: tarball, version: '2.14.1', sha256: 'ab'.repeat(32) });
  t.deepEqual(jansson.dropPatches, ['0001-fix.patch']);
  t.deepEqual(jansson.changes, ['Jansson 2.14.1.', `New upstream version 2.14.1 (jansson-2.14.1.tar.gz, sha256 ${'ab'.repeat(32)}).`, "Debian patch left out: 0001-fix.patch."]);
  t.is(jshon.upstream, undefined);
  t.deepEqual(jshon.dropPatches, []);
  t.deepEqual(jshon.changes, ['Rebuilt against jansson 2.14.1-0+mkimage1.']);
  const epoch = packageBuildConfigs({ ...INPUT, builds: new Map([['jansson', upstream]]), locked: new Map([['jansson', { inputs: '2222222222222222', sources: [source('jansson', '1:2.14-2', ['libjansson4'])] }]]) });
  t.is(epoch[0]!.version, '1:2.14.1-0+mkimage1', "the archive's epoch is kept");
  const step = packageTargets([jansson]).find((s) => s.id === 'package/jansson/source')!;
  t.true(step.inputs.files.includes(tarball), 'the tarball is an input of the source step');
});

test('a dependent of two builds is built once, for the first build by name', (t) => {
  const both: LockedBuilds = new Map([...LOCKED, ['libyaml', { inputs: '1111111111111111', sources: [...LOCKED.get('libyaml')!.sources, source('jshon', '20131010-3', ['jshon'], 'bookworm', 21)] }]]);
  const configs = packageBuildConfigs({ ...INPUT, locked: both });
  t.deepEqual(configs.map((c) => `${c.build}: ${c.name} ${c.version}`), ['jansson: jansson 2.14-2+mkimage1', 'jansson: jshon 20131010-3+mkimage1+b1', 'libyaml: libyaml 0.2.5-1+local2']);
  t.deepEqual(packageTargets(configs).filter((s) => s.id === 'package/jshon').length, 1);
});

test('a build the lock does not have yet gives no config', (t) => {
  t.false(packageBuildConfigs(INPUT).some((c) => c.build === 'unlocked'));
  t.deepEqual(packageBuildConfigs({ ...INPUT, locked: new Map() }), []);
});

test('the targets: one build chroot per suite, then source, build-depends, build-deps and the build of each source', (t) => {
  const specs = packageTargets(packageBuildConfigs(INPUT));
  const step = (n: string) => [`package/${n}/source`, `package/${n}/build-depends`, `package/${n}/build-deps`, `package/${n}`];
  t.deepEqual(specs.map((s) => s.id), ['buildd/bookworm-amd64', ...step('jansson'), ...step('jshon'), ...step('libyaml')]);
  const deps = (id: string) => specs.find((s) => s.id === id)!.deps;
  t.deepEqual(deps('package/jshon/build-deps'), [
    { id: 'buildd/bookworm-amd64', as: 'buildd' },
    { id: 'package/jshon/build-depends', as: 'build-depends' },
    { id: 'package/jansson', as: 'repo:jansson' },
  ]);
  t.deepEqual(deps('package/jansson/build-deps'), [
    { id: 'buildd/bookworm-amd64', as: 'buildd' },
    { id: 'package/jansson/build-depends', as: 'build-depends' },
  ]);
  t.deepEqual(deps('package/jansson'), [{ id: 'package/jansson/build-deps', as: 'build-deps' }, { id: 'package/jansson/source', as: 'source' }]);
  t.deepEqual(deps('package/jansson/build-depends'), [{ id: 'package/jansson/source', as: 'source' }]);
  t.deepEqual(deps('package/jansson/source'), []);
});

test("a declaration's place is no input: moving it, or the lock's lines, rebuilds nothing", (t) => {
  const specs = packageTargets(packageBuildConfigs(INPUT));
  const source = specs.find((s) => s.id === 'package/jansson/source')!;
  const values = source.inputs.values as Record<string, unknown>;
  t.deepEqual(Object.keys(values).sort(), ['changes', 'configureOptions', 'dropPatches', 'name', 'patches', 'source', 'step', 'suite', 'version']);
  t.deepEqual(values.patches, ['arrow.patch', 'strict.patch'], 'names in order; their content is in files');
  t.deepEqual(source.inputs.files, [`${FEATURE}/patches/arrow.patch`, `${FEATURE}/patches/strict.patch`]);
  t.deepEqual(Object.keys(values.source as object).sort(), ['binaries', 'dsc', 'mirror', 'name', 'sha256', 'size', 'suite', 'version']);
  const file = JANSSON.decl.at!.file;
  for (const s of specs) {
    const text = JSON.stringify(s.inputs.values);
    t.false(text.includes('"at"'), s.id);
    t.false(text.includes('"line"'), s.id);
    t.false(text.includes(file), s.id);
  }
  // The same build declared elsewhere gives the same values.
  const moved = { ...JANSSON, decl: { ...JANSSON.decl, at: { file: '/p/features/other/feature.ts', line: 99 } } };
  const relined: LockedBuilds = new Map([...LOCKED].map(([n, b]) => [n, { ...b, sources: b.sources.map((x) => ({ ...x, line: (x.line ?? 0) + 40 })) }]));
  const again = packageTargets(packageBuildConfigs({ ...INPUT, builds: new Map([...INPUT.builds, ['jansson', moved]]), locked: relined }));
  t.deepEqual(again.map((s) => s.inputs), specs.map((s) => s.inputs));
});

test('an image takes the builds of its features whose binaries it installs, sorted by source', (t) => {
  const configs = packageBuildConfigs(INPUT);
  const both = new Set(['json', 'yaml']);
  t.deepEqual(builtFor({ installed: new Set(['libyaml-0-2', 'jshon', 'libc6']), features: both }, [...configs].reverse()), [
    { source: 'jshon', target: 'package/jshon', version: '20131010-3+mkimage1+b1', binaries: ['jshon'], replaces: [] },
    { source: 'libyaml', target: 'package/libyaml', version: '0.2.5-1+local2', binaries: ['libyaml-0-2', 'libyaml-dev'], replaces: [] },
  ]);
  t.deepEqual(builtFor({ installed: new Set(['libjansson-doc']), features: both }, configs).map((b) => b.source), ['jansson']);
  t.deepEqual(builtFor({ installed: new Set(['libc6']), features: both }, configs), []);
  // Without the feature that declared it, an image keeps the archive's packages.
  t.deepEqual(builtFor({ installed: new Set(['libyaml-0-2', 'jshon']), features: new Set(['yaml']) }, configs).map((b) => b.source), ['libyaml']);
  t.deepEqual(builtFor({ installed: new Set(['libyaml-0-2', 'jshon']), features: new Set() }, configs), []);
});

test("a backport is taken by an image installing only a binary it replaces, and a dependent of two builds by either's feature", (t) => {
  const ldap: PackageBuild = { decl: debianSource('openldap', { from: 'trixie', rebuild: 'dependents' }), feature: 'ldap', patches: [] };
  const input = {
    ...INPUT,
    builds: new Map([['openldap', ldap], ['jansson', JANSSON]]),
    locked: new Map([
      ...LOCKED,
      ['openldap', { inputs: '4444444444444444', sources: [{ ...source('openldap', '2.6.10+dfsg-1', ['libldap2', 'slapd'], 'trixie'), replaces: ['libldap-2.5-0'] }, source('jshon', '20131010-3', ['jshon'])] }],
    ]),
  };
  const configs = packageBuildConfigs(input);
  t.deepEqual(builtFor({ installed: new Set(['libldap-2.5-0']), features: new Set(['ldap']) }, configs), [
    { source: 'openldap', target: 'package/openldap', version: '2.6.10+dfsg-1+mkimage1', binaries: ['libldap2', 'slapd'], replaces: ['libldap-2.5-0'] },
  ]);
  t.deepEqual(configs.find((c) => c.name === 'jshon')!.features, ['json', 'ldap']);
  t.deepEqual(builtFor({ installed: new Set(['jshon']), features: new Set(['ldap']) }, configs).map((b) => b.source), ['jshon']);
});

test('a binary two builds make is found, with both sources', (t) => {
  const configs = packageBuildConfigs(INPUT);
  t.is(sharedBinary(configs), undefined);
  const compat = packageBuildConfigs({
    ...INPUT,
    builds: new Map([...INPUT.builds, ['jansson-compat', { decl: debianSource('jansson-compat'), feature: 'compat', patches: [] }]]),
    locked: new Map([...LOCKED, ['jansson-compat', { inputs: '3333333333333333', sources: [source('jansson-compat', '1.0-1', ['libjansson-compat1', 'libjansson4'])] }]]),
  });
  const shared = sharedBinary(compat);
  t.deepEqual(shared && [shared.binary, shared.first.name, shared.second.name], ['libjansson4', 'jansson', 'jansson-compat']);
});

test("a local source needs no lock: its version is its changelog's (suffixed if declared), its files the source step's inputs", (t) => {
  const local = (suffix?: string): PackageBuild => ({
    decl: localSource('motd', { dir: 'motd', ...(suffix !== undefined && { suffix }) }),
    feature: 'web',
    patches: [],
    local: { dir: '/p/features/web/motd', files: ['/p/features/web/motd/debian/control', '/p/features/web/motd/motd.txt'], executables: [], version: '1.2', binaries: ['motd'], relations: '3333333333333333' },
  });
  const [plain] = packageBuildConfigs({ ...INPUT, builds: new Map([['motd', local()]]), locked: new Map() });
  t.deepEqual([plain!.name, plain!.version, plain!.source.binaries, plain!.after], ['motd', '1.2', ['motd'], []]);
  const [suffixed] = packageBuildConfigs({ ...INPUT, builds: new Map([['motd', local('+site1')]]), locked: new Map() });
  t.is(suffixed!.version, '1.2+site1');
  const specs = packageTargets([plain!]);
  t.deepEqual(specs.map((s) => s.id), ['buildd/bookworm-amd64', 'package/motd/source', 'package/motd/build-depends', 'package/motd/build-deps', 'package/motd']);
  const source = specs.find((s) => s.id === 'package/motd/source')!;
  t.deepEqual(source.inputs.files, ['/p/features/web/motd/debian/control', '/p/features/web/motd/motd.txt']);
  t.deepEqual((source.inputs.values as { files: string[] }).files, ['debian/control', 'motd.txt'], 'the files by their names in the folder: moving the project rebuilds nothing');
  // Taken by an image of its feature whose lock installs one of its binaries (a `local` line).
  t.deepEqual(builtFor({ installed: new Set(['motd']), features: new Set(['web']) }, [plain!]).map((b) => b.source), ['motd']);
});

test('a locked build chroot is made of the locked set from the pool: the set is its input, not the mirror', (t) => {
  const gcc = { stage: 'bootstrap' as const, name: 'gcc-12', version: '12.2.0-14', architecture: 'amd64', size: 10, sha256: '1'.repeat(64), mirror: MIRROR, filename: 'pool/main/g/gcc-12/gcc-12_12.2.0-14_amd64.deb' };
  const chroot = (line: number, version = gcc.version) => ({ packages: [{ ...gcc, version, line }], sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], components: ['main'] });
  const spec = (input: PackagePlanInput) => packageTargets(packageBuildConfigs(input), { dir: '/store/pool', offline: false }).find((s) => s.id === 'buildd/bookworm-amd64')!;
  const unlocked = spec(INPUT);
  const locked = spec({ ...INPUT, chroot: chroot(40) });
  t.regex(locked.description ?? '', /the 1 packages mkimage\.lock pins, from the pool/);
  const values = locked.inputs.values as { locked: Array<{ name: string; version: string; line?: number }>; sources: string[] };
  t.deepEqual(values.locked.map((p) => [p.name, p.version, p.line]), [['gcc-12', '12.2.0-14', undefined]], "the lock's line is no input");
  t.deepEqual(values.sources, [`deb ${MIRROR} bookworm main`]);
  t.notDeepEqual(locked.inputs.values, unlocked.inputs.values);
  t.deepEqual(spec({ ...INPUT, chroot: chroot(99) }).inputs.values, locked.inputs.values);
  t.notDeepEqual(spec({ ...INPUT, chroot: chroot(40, '12.2.0-15') }).inputs.values, locked.inputs.values);
  t.deepEqual(spec({ ...INPUT, mirror: 'http://other/debian', chroot: chroot(40) }).inputs.values, locked.inputs.values, 'where the files came from is no input');
});

test("a locked build chroot's input is its set, whatever order the entry lists it in (apt's, or the file's)", (t) => {
  const p = (name: string) => ({ stage: 'bootstrap' as const, name, version: '1', architecture: 'amd64', size: 10, sha256: '1'.repeat(64), mirror: MIRROR, filename: `pool/${name}.deb` });
  const chroot = (names: string[]) => ({ packages: names.map(p), sources: [], components: ['main'] });
  const values = (names: string[]) => packageTargets(packageBuildConfigs({ ...INPUT, chroot: chroot(names) })).find((s) => s.id === 'buildd/bookworm-amd64')!.inputs.values;
  t.deepEqual(values(['make', 'gcc-12', 'dpkg-dev']), values(['dpkg-dev', 'gcc-12', 'make']));
});
