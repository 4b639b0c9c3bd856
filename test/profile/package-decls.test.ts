// A feature's package builds are checked where they were written: names, suffixes, patches
// that exist, and no source built twice; and a bad one stops the real CLI with file:line.

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianSource, type PackageDecl } from '../../src/dsl/package.ts';
import { addPackageBuild, checkPackageDecl, type PackageBuild } from '../../src/profile/package-decls.ts';
import { fixtureRig } from '../helpers/profile-fixture.ts';

const HERE = fileURLToPath(import.meta.url);

/** A feature folder `features/web/` with the given files under it. */
function featureDir(t: { teardown(fn: () => void): void }, files: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-package-decls-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'features/web');
  mkdirSync(join(dir, 'patches'), { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), '--- a/x\n+++ b/x\n');
  return dir;
}

function error(decl: PackageDecl, dir: string): { message: string; at: unknown; hint: string | undefined } {
  const r = checkPackageDecl(decl, 'web', dir);
  if (r.ok) throw new Error('expected an error');
  return { message: r.error.message, at: r.error.at, hint: r.error.hint };
}

test('each declaration records the line it was written on', (t) => {
  const decl = debianSource('jansson');
  t.is(decl.at?.file, HERE);
  t.is(typeof decl.at?.line, 'number');
});

test('a source name Debian would not take is an error at the declaration', (t) => {
  const dir = featureDir(t);
  const decl = debianSource('Jansson');
  t.deepEqual(error(decl, dir), {
    message: 'invalid source package name "Jansson"',
    at: decl.at,
    hint: 'a Debian source name: lower-case letters, digits, + - and .',
  });
  t.is(error(debianSource('j'), dir).message, 'invalid source package name "j"');
});

test('a version suffix that would not sort above the archive is an error naming the package', (t) => {
  const dir = featureDir(t);
  const noPlus = debianSource('jansson', { suffix: 'mkimage1' });
  const e = error(noPlus, dir);
  t.is(e.message, 'package jansson: version suffix "mkimage1" does not start with + and end in a letter or digit');
  t.is(e.at, noPlus.at);
  t.is(e.hint, "e.g. '+mkimage1': it sorts above the archive's version");
  t.is(error(debianSource('jansson', { suffix: '+' }), dir).message, 'package jansson: version suffix "+" does not start with + and end in a letter or digit');
  t.is(error(debianSource('jansson', { suffix: '+mkimage~' }), dir).message, 'package jansson: version suffix "+mkimage~" does not start with + and end in a letter or digit');
});

test('build options and profiles are single words; configure options single lines', (t) => {
  const dir = featureDir(t);
  t.is(error(debianSource('jansson', { buildOptions: ['nocheck noopt'] }), dir).message, 'package jansson: "nocheck noopt" is not one word of DEB_BUILD_OPTIONS or DEB_BUILD_PROFILES');
  t.is(error(debianSource('jansson', { profiles: ['-nodoc'] }), dir).message, 'package jansson: "-nodoc" is not one word of DEB_BUILD_OPTIONS or DEB_BUILD_PROFILES');
  t.is(error(debianSource('openldap', { configureOptions: ['--a\n--b'] }), dir).message, 'package openldap: a configure option holds a line break: "--a\\n--b"');
});

test('jobs are whole slots or all, and parallel= is not a build option of the declaration', (t) => {
  const dir = featureDir(t);
  t.is(error(debianSource('openldap', { jobs: 0 }), dir).message, "package openldap: jobs 0 is not a whole number of job slots or 'all'");
  t.is(error(debianSource('openldap', { jobs: 1.5 }), dir).message, "package openldap: jobs 1.5 is not a whole number of job slots or 'all'");
  t.deepEqual(error(debianSource('openldap', { buildOptions: ['nocheck', 'parallel=8'] }), dir).hint, 'jobs: 8 takes that many of -j');
  t.true(checkPackageDecl(debianSource('openldap', { jobs: 'all' }), 'web', dir).ok);
  t.is(debianSource('openldap').jobs, 1);
});

test('a patch that is not a file names the package and the patch, at the declaration', (t) => {
  const dir = featureDir(t, ['patches/first.patch']);
  const decl = debianSource('jansson', { patches: ['patches/first.patch', 'patches/missing.patch'] });
  t.deepEqual(error(decl, dir), {
    message: 'package jansson: patch patches/missing.patch is not a file of web/',
    at: decl.at,
    hint: 'patches are paths relative to the feature folder, e.g. patches/missing.patch',
  });
  // A directory is not a patch either.
  t.is(error(debianSource('jansson', { patches: ['patches'] }), dir).message, 'package jansson: patch patches is not a file of web/');
});

test('a good declaration gives its patches as absolute paths, in the declared order', (t) => {
  const dir = featureDir(t, ['patches/b.patch', 'patches/a.patch']);
  const decl = debianSource('jansson', { patches: ['patches/b.patch', 'patches/a.patch'], profiles: ['nodoc'], buildOptions: ['nocheck'], suffix: '+mkimage2' });
  const r = checkPackageDecl(decl, 'web', dir);
  if (!r.ok) return t.fail(r.error.message);
  t.is(r.value.decl, decl);
  t.is(r.value.feature, 'web');
  t.deepEqual(r.value.patches, [join(dir, 'patches/b.patch'), join(dir, 'patches/a.patch')]);
});

test('another upstream version: the tarball is a file of the feature, its version a Debian upstream version, its sha256 64 hex digits', (t) => {
  const dir = featureDir(t, ['patches/jansson-2.14.1.tar.gz']);
  const upstream = { tarball: 'patches/jansson-2.14.1.tar.gz', version: '2.14.1', sha256: 'a'.repeat(64) };
  const good = checkPackageDecl(debianSource('jansson', { upstream }), 'web', dir);
  if (!good.ok) return t.fail(good.error.message);
  t.is(good.value.upstream, join(dir, 'patches/jansson-2.14.1.tar.gz'));
  const missing = debianSource('jansson', { upstream: { ...upstream, tarball: 'upstream/jansson-2.15.tar.xz' } });
  t.deepEqual(error(missing, dir), {
    message: 'package jansson: upstream tarball upstream/jansson-2.15.tar.xz is not a file of web/',
    at: missing.at,
    hint: 'the project ships the tarball: a path relative to the feature folder, e.g. upstream/NAME-VERSION.tar.gz',
  });
  t.is(error(debianSource('jansson', { upstream: { ...upstream, tarball: 'patches/jansson.zip' } }), dir).message, 'package jansson: upstream tarball patches/jansson.zip is no .tar.gz, .tar.xz or .tar.bz2');
  t.is(error(debianSource('jansson', { upstream: { ...upstream, version: '2.14.1-1' } }), dir).message, 'package jansson: upstream version "2.14.1-1" is not a Debian upstream version');
  t.is(error(debianSource('jansson', { upstream: { ...upstream, version: '1:2.14.1' } }), dir).message, 'package jansson: upstream version "1:2.14.1" is not a Debian upstream version');
  const short = error(debianSource('jansson', { upstream: { ...upstream, sha256: 'abc' } }), dir);
  t.is(short.message, 'package jansson: upstream sha256 "abc" is not 64 hex digits');
  t.is(short.hint, 'sha256sum web/patches/jansson-2.14.1.tar.gz prints it');
  t.is(error(debianSource('jansson', { dropPatches: ['a b.patch'] }), dir).message, 'package jansson: dropPatches "a b.patch" is not a patch\'s name in debian/patches/series');
});

test('a declaration without a location is blamed on its feature.ts', (t) => {
  const dir = featureDir(t);
  const { at: _, ...decl } = debianSource('jansson', { suffix: 'x' });
  t.deepEqual(error(decl, dir).at, { file: join(dir, 'feature.ts'), line: 1 });
});

test('a source built twice is an error at the second declaration, naming the first', (t) => {
  const builds = new Map<string, PackageBuild>();
  const first = debianSource('jansson');
  const second = debianSource('jansson', { suffix: '+other1' });
  t.is(addPackageBuild(builds, { decl: first, feature: 'web', patches: [] }), undefined);
  t.is(addPackageBuild(builds, { decl: debianSource('openldap'), feature: 'db', patches: [] }), undefined);
  t.deepEqual(addPackageBuild(builds, { decl: second, feature: 'db', patches: [] }), {
    message: `package jansson is built twice (first at ${HERE}:${first.at!.line}:${first.at!.column}, feature web)`,
    at: second.at,
    hint: 'one feature declares a source; others use its mixin',
  });
  t.deepEqual([...builds.keys()], ['jansson', 'openldap']);
  t.is(builds.get('jansson')!.feature, 'web', 'the first stays');
});

const WEB = `import { add, debianSource, feature, mixin, set } from 'mkimage';

export default feature({
  description: 'a web server',
  mixins: [
    mixin('use/web', { description: 'nginx', needs: ['use/core'] },
      add('PACKAGES', 'nginx'),
      set('COLOR', 'blue')),
    mixin('use/web/tls', { description: 'with certificates', needs: ['use/web'] }, add('PACKAGES', 'ssl-cert')),
  ],
  packages: [
    debianSource('jansson', { patches: ['patches/missing.patch'] }),
  ],
});
`;

test('through the CLI: a missing patch is one line with the feature file and line, exit 2', async (t) => {
  const r = fixtureRig('basic', { 'features/web/feature.ts': WEB });
  t.teardown(() => r.dispose());
  for (const args of [['show', 'app'], ['list']]) {
    const run = await r.run(args);
    t.is(run.code, 2, args.join(' '));
    t.is(
      run.stderr.trim().replaceAll(`${r.dir}/`, ''),
      "mkimage: features/web/feature.ts:12:5: package jansson: patch patches/missing.patch is not a file of web/ (hint: patches are paths relative to the feature folder, e.g. patches/missing.patch)",
      args.join(' '),
    );
  }
});

test('through the CLI: the same source in two features names both places', async (t) => {
  const r = fixtureRig('basic', {
    'features/web/feature.ts': WEB.replace("debianSource('jansson', { patches: ['patches/missing.patch'] })", "debianSource('jansson')"),
    'features/db/feature.ts': `import { add, alias, debianSource, feature, mixin, trySet } from 'mkimage';

const db = mixin('use/db', { description: 'a database', needs: ['use/core'], hooks: ['10-db'] },
  add('PACKAGES', 'postgresql'),
  trySet('COLOR', 'green'));

export default feature({
  description: 'a database',
  mixins: [db, alias('+stack', ['use/web', db], 'web and database')],
  packages: [debianSource('jansson')],
});
`,
  });
  t.teardown(() => r.dispose());
  const run = await r.run(['show', 'app']);
  t.is(run.code, 2);
  // Features load in name order: db before web, so web's is the second.
  t.is(
    run.stderr.trim().replaceAll(`${r.dir}/`, ''),
    `mkimage: features/web/feature.ts:12:5: package jansson is built twice (first at ${r.dir}/features/db/feature.ts:10:14, feature db) (hint: one feature declares a source; others use its mixin)`.replaceAll(`${r.dir}/`, ''),
  );
});
