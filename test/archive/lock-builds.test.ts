// The lock's `build` lines: written after the distros, read back to the same text, and each
// malformed one an error at its file:line.

import test from 'ava';
import { createHash } from 'node:crypto';
import type { LockedBuilds, LockedSourcePackage } from '../../src/archive/lock-builds.ts';
import { formatLock, parseLockFile, type Lock } from '../../src/archive/lock-file.ts';

const MIRROR = 'http://deb.debian.org/debian';
const SHA = (s: string) => createHash('sha256').update(s).digest('hex');

const source = (name: string, version: string, binaries: string[], suite = 'bookworm', replaces?: string[]): LockedSourcePackage => ({
  name, version, suite, size: 2000 + name.length, sha256: SHA(name), mirror: MIRROR, dsc: `pool/main/${name[0]}/${name}/${name}_${version}.dsc`, binaries, ...(replaces && { replaces }),
});

const DISTROS: Lock = new Map([
  ['web', { inputs: '0123456789abcdef', sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: [{ stage: 'bootstrap', name: 'acl', version: '2.3.1-3', architecture: 'amd64', size: 1, sha256: SHA('acl'), mirror: MIRROR, filename: 'pool/main/a/acl/acl_2.3.1-3_amd64.deb' }] }],
]);

// Written in name order whatever the map's order.
const BUILDS: LockedBuilds = new Map([
  ['openldap', { inputs: 'fedcba9876543210', sources: [source('openldap', '2.6.10+dfsg-1', ['ldap-utils', 'libldap2', 'slapd'], 'trixie', ['libldap-2.5-0'])] }],
  ['jansson', { inputs: '3f2a9c0d1e2f3a4b', sources: [source('jansson', '2.14-2', ['libjansson-dev', 'libjansson-doc', 'libjansson4']), source('jshon', '20131010-3', ['jshon'])] }],
]);

const TEXT = formatLock(DISTROS, BUILDS);

test('build lines come after the distros, one per source, builds in name order', (t) => {
  const lines = TEXT.split('\n');
  t.deepEqual(lines.slice(lines.indexOf('build jansson inputs 3f2a9c0d1e2f3a4b') - 1), [
    '',
    'build jansson inputs 3f2a9c0d1e2f3a4b',
    `build jansson source jansson 2.14-2 bookworm 2007 ${SHA('jansson')} ${MIRROR} pool/main/j/jansson/jansson_2.14-2.dsc libjansson-dev,libjansson-doc,libjansson4`,
    `build jansson source jshon 20131010-3 bookworm 2005 ${SHA('jshon')} ${MIRROR} pool/main/j/jshon/jshon_20131010-3.dsc jshon`,
    '',
    'build openldap inputs fedcba9876543210',
    `build openldap source openldap 2.6.10+dfsg-1 trixie 2008 ${SHA('openldap')} ${MIRROR} pool/main/o/openldap/openldap_2.6.10+dfsg-1.dsc ldap-utils,libldap2,slapd replaces=libldap-2.5-0`,
    '',
  ]);
  t.true(lines.indexOf('distro web inputs 0123456789abcdef') < lines.indexOf('build jansson inputs 3f2a9c0d1e2f3a4b'));
});

test('a lock with builds parses back to the same text, each source knowing its line', (t) => {
  const parsed = parseLockFile(TEXT, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(formatLock(parsed.value.distros, parsed.value.builds), TEXT);
  t.deepEqual([...parsed.value.builds.keys()], ['jansson', 'openldap']);
  const jansson = parsed.value.builds.get('jansson')!;
  t.is(jansson.inputs, '3f2a9c0d1e2f3a4b');
  t.deepEqual(jansson.sources.map((s) => s.name), ['jansson', 'jshon'], 'the declared source first, then its dependents, as written');
  const lines = TEXT.split('\n');
  for (const s of [...parsed.value.builds.values()].flatMap((b) => b.sources)) {
    t.true(lines[s.line! - 1]!.startsWith(`build ${s.name === 'jshon' ? 'jansson' : s.name} source ${s.name} `), s.name);
  }
  const { line: _, ...jshon } = jansson.sources[1]!;
  t.deepEqual(jshon, source('jshon', '20131010-3', ['jshon']));
  t.deepEqual(parsed.value.builds.get('openldap')!.sources[0]!.replaces, ['libldap-2.5-0'], 'what a backport replaces');
});

test('a lock without builds has no build lines and parses to no builds', (t) => {
  const text = formatLock(DISTROS);
  t.false(text.includes('\nbuild '));
  const parsed = parseLockFile(text, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(parsed.value.builds.size, 0);
});

/** The lock's text edited, parsed: `file:line: message`. */
function broken(edit: (lines: string[]) => string[]): string {
  const r = parseLockFile(edit(TEXT.split('\n')).join('\n'), '/p/mkimage.lock');
  return r.ok ? 'parsed' : `${r.error.at?.file}:${r.error.at?.line}: ${r.error.message}`;
}

const row = (prefix: string) => TEXT.split('\n').findIndex((l) => l.startsWith(prefix));
const replace = (prefix: string, f: (l: string) => string) => (lines: string[]) => lines.map((l, i) => (i === row(prefix) ? f(l) : l));

test('a source line whose sha256 is not one is an error at its line', (t) => {
  const i = row('build jansson source jshon ');
  t.is(broken(replace('build jansson source jshon ', (l) => l.replace(SHA('jshon'), SHA('jshon').slice(1)))), `/p/mkimage.lock:${i + 1}: jshon: ${SHA('jshon').slice(1)} is not a sha256`);
  t.is(broken(replace('build jansson source jshon ', (l) => l.replace(SHA('jshon'), SHA('jshon').toUpperCase()))), `/p/mkimage.lock:${i + 1}: jshon: ${SHA('jshon').toUpperCase()} is not a sha256`);
});

test('a source line that pins no .dsc is an error at its line', (t) => {
  const i = row('build jansson source jansson ');
  t.is(broken(replace('build jansson source jansson ', (l) => l.replace('jansson_2.14-2.dsc', 'jansson_2.14.orig.tar.gz'))), `/p/mkimage.lock:${i + 1}: jansson: pool/main/j/jansson/jansson_2.14.orig.tar.gz is no .dsc`);
});

test('a source before its build\'s inputs line is an error at the source', (t) => {
  const i = row('build jansson inputs ');
  t.is(broken((lines) => lines.filter((_, n) => n !== i)), `/p/mkimage.lock:${i + 1}: a source of build jansson before its inputs line`);
});

test('a source line with a word too few or too many is an error at its line', (t) => {
  const i = row('build openldap source ');
  const shape = 'a build source line is `build NAME source SOURCE VERSION SUITE SIZE SHA256 MIRROR DSC BINARIES [replaces=BINARIES]`';
  t.is(broken(replace('build openldap source ', (l) => l.replace(/ \S+ \S+$/, ''))), `/p/mkimage.lock:${i + 1}: ${shape}`);
  t.is(broken(replace('build openldap source ', (l) => `${l} extra`)), `/p/mkimage.lock:${i + 1}: ${shape}`);
  t.is(broken(replace('build openldap source ', (l) => l.replace(' replaces=', ' '))), `/p/mkimage.lock:${i + 1}: ${shape}`);
  t.is(broken(replace('build openldap source ', (l) => l.replace(' 2008 ', ' 2k '))), `/p/mkimage.lock:${i + 1}: size 2k is not a number`);
});

test('an inputs line given twice, or malformed, is an error at the second', (t) => {
  const i = row('build openldap inputs ');
  t.is(broken((lines) => [...lines.slice(0, i + 2), 'build openldap inputs 0000000000000000', ...lines.slice(i + 2)]), `/p/mkimage.lock:${i + 3}: build openldap is locked twice`);
  t.is(broken(replace('build openldap inputs ', (l) => l.replace('fedcba9876543210', 'fedcba'))), `/p/mkimage.lock:${i + 1}: a build line is \`build NAME inputs DIGEST\``);
  t.is(broken(replace('build openldap inputs ', (l) => l.replace(' inputs ', ' input '))), `/p/mkimage.lock:${i + 1}: unknown build line "input" (inputs or source)`);
});
