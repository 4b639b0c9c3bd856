import test from 'ava';
import { findSource, parseSources, type ArchiveSource, type SourcesIndex } from '../../src/archive/sources-index.ts';

const sha = (c: string) => c.repeat(64);

const SOURCES = `Package: jansson
Binary: libjansson-dev, libjansson-doc,
 libjansson4
Version: 2.14-2
Maintainer: Alessandro Ghedini <ghedo@debian.org>
Build-Depends: debhelper-compat (= 13), cmake,
 python3-sphinx <!nodoc> [!hurd-i386],
 libfoo-dev:native | libbar-dev (>= 1.2) [amd64 arm64] <!nocheck !cross>,
Build-Depends-Indep: doxygen <!nodoc>
Architecture: any all
Format: 3.0 (quilt)
Directory: pool/main/j/jansson
Checksums-Sha256:
 ${sha('a')} 2071 jansson_2.14-2.dsc
 ${sha('b')} 435519 jansson_2.14.orig.tar.gz
 ${sha('c')} 5920 jansson_2.14-2.debian.tar.xz

Package: jshon
Binary: jshon
Version: 20131105-1
Build-Depends: debhelper-compat (= 13), libjansson-dev
Build-Depends-Arch: pkgconf:any
Format: 3.0 (quilt)
Directory: pool/main/j/jshon
Checksums-Sha256:
 ${sha('d')} 1876 jshon_20131105-1.dsc
 ${sha('e')} 12345 jshon_20131105.orig.tar.gz
`;

test('parseSources: binaries, build dependencies as written and their bare names, the files', (t) => {
  const parsed = parseSources(SOURCES, 'http://m/debian/dists/bookworm/main/source/Sources');
  if (!parsed.ok) return t.fail(parsed.error.message);
  const [jansson, jshon] = parsed.value as [ArchiveSource, ArchiveSource];
  t.is(parsed.value.length, 2);
  t.is(jansson.name, 'jansson');
  t.is(jansson.version, '2.14-2');
  t.deepEqual(jansson.binaries, ['libjansson-dev', 'libjansson-doc', 'libjansson4']);
  t.is(jansson.buildDepends, 'debhelper-compat (= 13), cmake, python3-sphinx <!nodoc> [!hurd-i386], libfoo-dev:native | libbar-dev (>= 1.2) [amd64 arm64] <!nocheck !cross>, doxygen <!nodoc>');
  t.deepEqual(jansson.buildDependsNames, ['debhelper-compat', 'cmake', 'python3-sphinx', 'libfoo-dev', 'libbar-dev', 'doxygen']);
  t.is(jansson.directory, 'pool/main/j/jansson');
  t.is(jansson.format, '3.0 (quilt)');
  t.deepEqual(jansson.files, [
    { name: 'jansson_2.14-2.dsc', size: 2071, sha256: sha('a') },
    { name: 'jansson_2.14.orig.tar.gz', size: 435519, sha256: sha('b') },
    { name: 'jansson_2.14-2.debian.tar.xz', size: 5920, sha256: sha('c') },
  ]);
  t.is(jansson.from, 'http://m/debian/dists/bookworm/main/source/Sources:1');
  t.is(jshon.buildDepends, 'debhelper-compat (= 13), libjansson-dev, pkgconf:any');
  t.deepEqual(jshon.buildDependsNames, ['debhelper-compat', 'libjansson-dev', 'pkgconf']);
  t.is(jshon.from, 'http://m/debian/dists/bookworm/main/source/Sources:18');
});

test('parseSources: a stanza without a Directory is an error at its line', (t) => {
  const broken = SOURCES.replace('Directory: pool/main/j/jshon\n', '');
  const parsed = parseSources(broken, 'Sources');
  t.false(parsed.ok);
  if (!parsed.ok) t.is(parsed.error.message, 'Sources:18: source stanza without Package, Version, Directory or Checksums-Sha256');
});

const source = (name: string, version: string): ArchiveSource => ({
  name, version, binaries: [name], buildDepends: '', buildDependsNames: [], directory: `pool/main/${name[0]}/${name}`, format: '3.0 (quilt)', files: [{ name: `${name}_${version}.dsc`, size: 1, sha256: sha('0') }], from: `Sources:${version}`,
});

const INDEX: SourcesIndex = {
  source: { url: 'http://deb.debian.org/debian', suite: 'bookworm', components: ['main'], keyring: '/k.gpg' },
  sources: new Map([
    ['openldap', [source('openldap', '2.5.13+dfsg-5'), source('openldap', '2.5.16+dfsg-0+deb12u1'), source('openldap', '2.5.13+dfsg-2')]],
    ['jansson', [source('jansson', '2.14-2')]],
  ]),
};

test('findSource: the highest version, or the one asked for', (t) => {
  const highest = findSource(INDEX, 'openldap');
  t.true(highest.ok && highest.value.version === '2.5.16+dfsg-0+deb12u1');
  const exact = findSource(INDEX, 'openldap', '2.5.13+dfsg-2');
  t.true(exact.ok && exact.value.version === '2.5.13+dfsg-2');
});

test('findSource: an unknown name suggests the closest one; an unknown version lists the versions there are', (t) => {
  const typo = findSource(INDEX, 'janson');
  t.false(typo.ok);
  if (!typo.ok) {
    t.is(typo.error.message, 'no source package janson in bookworm (http://deb.debian.org/debian)');
    t.is(typo.error.hint, 'did you mean jansson?');
  }
  const version = findSource(INDEX, 'openldap', '2.6.10+dfsg-1');
  t.false(version.ok);
  if (!version.ok) {
    t.is(version.error.message, 'no source package openldap 2.6.10+dfsg-1 in bookworm (http://deb.debian.org/debian)');
    t.is(version.error.hint, 'it has 2.5.16+dfsg-0+deb12u1, 2.5.13+dfsg-5, 2.5.13+dfsg-2');
  }
});
