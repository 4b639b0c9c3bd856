// The package steps' readings of what tools say and what a source holds: which patch failed
// and where, the files a .dsc names, debian/control's build dependencies, apt's reason for not
// satisfying them, and the script that installs them.

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockedSourcePackage } from '../../src/archive/lock-builds.ts';
import { ok } from '../../src/core/diagnostic.ts';
import { RecipeFailure } from '../../src/core/target.ts';
import { buildDepends, lockedSatisfyScript, satisfyScript, unsatisfiable } from '../../src/package/stages/build-deps.ts';
import { patchFailure } from '../../src/package/stages/source.ts';
import { dscFiles } from '../../src/package/source-pool.ts';
import { checkUpstreamDigest } from '../../src/package/stages/upstream.ts';

const JANSSON: LockedSourcePackage = {
  name: 'jansson', version: '2.14-2', suite: 'bookworm', size: 2071, sha256: '0'.repeat(64), mirror: 'http://deb.debian.org/debian', dsc: 'pool/main/j/jansson/jansson_2.14-2.dsc', binaries: ['libjansson4'],
};
const V = { name: 'jansson', source: JANSSON };

// What `dpkg-source --before-build` (1.21) says when the patch it applies does not.
const QUILT_FAILED = `dpkg-source: info: using patch list from debian/patches/series
dpkg-source: info: applying mkimage-01-arrow.patch
patching file src/dump.c
Hunk #1 FAILED at 313.
1 out of 1 hunk FAILED
dpkg-source: info: the patch has fuzz which is not allowed, or is malformed
dpkg-source: info: if patch 'mkimage-01-arrow.patch' is correctly applied by quilt, use 'quilt refresh' to update it
dpkg-source: info: if the file is present in the unpacked source, make sure it is also present in the orig tarball
dpkg-source: info: restoring quilt backup files for mkimage-01-arrow.patch
dpkg-source: error: LC_ALL=C patch -t -F 0 -N -p1 -u -V never -E -b -B .pc/mkimage-01-arrow.patch/ --reject-file=- < src/debian/patches/mkimage-01-arrow.patch subprocess returned exit status 1
`;

test('a patch that does not apply is named with its first failed hunk and file', (t) => {
  const e = patchFailure(V, QUILT_FAILED, 'arrow.patch');
  t.true(e instanceof RecipeFailure);
  t.is(e.message, 'patch arrow.patch does not apply to jansson 2.14-2: Hunk #1 FAILED at 313 of src/dump.c');
  t.is(e.details.hint, 'refresh it against the unpacked source: mkimage shell package/jansson/source');
});

test('the first failed hunk is named, of the file it is in', (t) => {
  const said = `patching file src/value.c
patching file src/dump.c
Hunk #1 succeeded at 300 (offset 2 lines).
Hunk #2 FAILED at 412.
Hunk #3 FAILED at 430.
2 out of 3 hunks FAILED
`;
  t.is(patchFailure(V, said, 'a.patch').message, 'patch a.patch does not apply to jansson 2.14-2: Hunk #2 FAILED at 412 of src/dump.c');
});

test('a patch of a file the source lacks says so', (t) => {
  // patch -p1 --batch, as for a source that is not 3.0 (quilt).
  const said = `can't find file to patch at input line 3
Perhaps you used the wrong -p or --strip option?
The text leading up to this was:
--------------------------
|--- a/src/gone.c
|+++ b/src/gone.c
--------------------------
No file to patch.  Skipping patch.
1 out of 1 hunk ignored
`;
  t.is(patchFailure(V, said, 'gone.patch').message, 'patch gone.patch does not apply to jansson 2.14-2: a file it patches is not in the source');
  t.is(patchFailure(V, 'something else\n', 'gone.patch').message, 'patch gone.patch does not apply to jansson 2.14-2: see the log');
});

test('a patch already in the source is named as applied already', (t) => {
  const said = `patching file src/dump.c
Reversed (or previously applied) patch detected!  Skipping patch.
1 out of 1 hunk ignored
`;
  t.is(patchFailure(V, said, 'arrow.patch').message, 'patch arrow.patch does not apply to jansson 2.14-2: it is applied already (to src/dump.c)');
});

test("Debian's own patch that does not apply to another upstream version is named as Debian's, with dropPatches as the way out", (t) => {
  const said = 'patching file src/dump.c\nHunk #1 FAILED at 40.\n';
  const e = patchFailure({ ...V, upstream: { tarball: 'jansson-2.14.1.tar.gz', version: '2.14.1', sha256: 'a'.repeat(64) } }, said, 'fix-dump.patch', true);
  t.is(e.message, "Debian's patch fix-dump.patch does not apply to jansson upstream 2.14.1: Hunk #1 FAILED at 40 of src/dump.c");
  t.is(e.details.hint, "a new upstream version may have it already: dropPatches: ['fix-dump.patch'] leaves it out");
});

test('an upstream tarball whose sha256 differs from the declared one is refused, naming both', (t) => {
  const u = { tarball: 'jansson-2.14.1.tar.gz', version: '2.14.1', sha256: 'a'.repeat(64) };
  t.is(checkUpstreamDigest('jansson', u, 'a'.repeat(64)), undefined);
  const e = checkUpstreamDigest('jansson', u, 'b'.repeat(64))!;
  t.is(e.message, `package jansson: upstream tarball jansson-2.14.1.tar.gz has sha256 ${'b'.repeat(64)}, not the declared ${'a'.repeat(64)}`);
  t.is(e.details.hint, `if this tarball is the one you mean, declare it: upstream: { ..., sha256: '${'b'.repeat(64)}' }`);
});

// jansson_2.14-2.dsc as the archive has it, the signature shortened.
const DSC = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Format: 3.0 (quilt)
Source: jansson
Binary: libjansson4, libjansson-dev, libjansson-doc
Architecture: any all
Version: 2.14-2
Maintainer: Alessandro Ghedini <ghedo@debian.org>
Homepage: http://www.digip.org/jansson/
Standards-Version: 4.6.0
Build-Depends: debhelper-compat (= 13)
Build-Depends-Indep: python3-sphinx (>= 1.0)
Package-List:
 libjansson-dev deb libdevel optional arch=any
 libjansson-doc deb doc optional arch=all
 libjansson4 deb libs optional arch=any
Checksums-Sha1:
 c3c2b631864eca28de482e51fc027c9cd276eb67 141500 jansson_2.14.orig.tar.gz
 b397245e2b8f4d63b4c67aa3910dfaea2332bbde 5428 jansson_2.14-2.debian.tar.xz
Checksums-Sha256:
 c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b 141500 jansson_2.14.orig.tar.gz
 e89fe4fd8221f6934ddb50f2e7f8404311928d0e23e49a5599f3d3d14ee8cb88 5428 jansson_2.14-2.debian.tar.xz
Files:
 bc78f39c7cd7fab1dd5fc4a2c3be1661 141500 jansson_2.14.orig.tar.gz
 5ea826b7f08f1310ecc3335dea80aff7 5428 jansson_2.14-2.debian.tar.xz

-----BEGIN PGP SIGNATURE-----

iQIzBAEBCAAdFiEEkpeKbhleSSGCX3/w808JdE6fXdkFAmJXJjcACgkQ808JdE6f
XdmdIQ//c6yGQ9yep9KEbp77MFn1g0S7c9aNmn3Z67GSjN9ASvcYOmEsgnOBIK0c
=nKpN
-----END PGP SIGNATURE-----
`;

test('a clearsigned .dsc names its files by Checksums-Sha256', (t) => {
  t.deepEqual(dscFiles(DSC, 'pool/main/j/jansson/jansson_2.14-2.dsc'), ok([
    { name: 'jansson_2.14.orig.tar.gz', size: 141500, sha256: 'c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b' },
    { name: 'jansson_2.14-2.debian.tar.xz', size: 5428, sha256: 'e89fe4fd8221f6934ddb50f2e7f8404311928d0e23e49a5599f3d3d14ee8cb88' },
  ]));
  // The same without its signature armour, with CRLF line ends.
  const bare = DSC.split('\n').slice(3, 27).join('\r\n');
  const files = dscFiles(bare, 'x.dsc');
  t.deepEqual(files.ok ? files.value.map((f) => f.name) : files.error.message, ['jansson_2.14.orig.tar.gz', 'jansson_2.14-2.debian.tar.xz']);
});

test('a .dsc without Checksums-Sha256, or naming a path, is an error naming it', (t) => {
  const old = DSC.replace(/Checksums-Sha256:\n( .*\n)+/, '');
  t.false(old.includes('Sha256:'));
  const r = dscFiles(old, 'pool/main/j/jansson/jansson_2.14-2.dsc');
  t.is(r.ok ? 'read' : r.error.message, 'pool/main/j/jansson/jansson_2.14-2.dsc: no Checksums-Sha256 in the .dsc');
  // A name that would climb out of the directory the files are put in.
  const climbing = dscFiles(DSC.replaceAll('jansson_2.14.orig.tar.gz', '../../etc/passwd'), 'x.dsc');
  t.regex(climbing.ok ? 'read' : climbing.error.message, /^x\.dsc: "\.\.\/\.\.\/etc\/passwd" is no file of a source/);
});

function sourceTree(t: { teardown(fn: () => void): void }, control: string): string {
  const src = mkdtempSync(join(tmpdir(), 'mkimage-stages-'));
  t.teardown(() => rmSync(src, { recursive: true, force: true }));
  mkdirSync(join(src, 'debian'));
  writeFileSync(join(src, 'debian/control'), control);
  return src;
}

test("debian/control's Build-Depends (continued over lines), -Arch and -Indep are one relation list", async (t) => {
  const src = sourceTree(t, `# generated
Source: jansson
Section: libs
Priority: optional
Maintainer: Alessandro Ghedini <ghedo@debian.org>
Build-Depends: debhelper-compat (= 13),
               pkgconf,
               check <!nocheck>,
Build-Depends-Arch: libc6-dev   [amd64]
Build-Depends-Indep: python3-sphinx (>= 1.0)
Standards-Version: 4.6.0

Package: libjansson4
Architecture: any
Depends: \${misc:Depends}, \${shlibs:Depends}
`);
  t.is(await buildDepends(src, 'jansson'), 'debhelper-compat (= 13), pkgconf, check <!nocheck>, libc6-dev [amd64], python3-sphinx (>= 1.0)');
});

test('a debian/control without build dependencies gives none; one without a stanza is an error', async (t) => {
  t.is(await buildDepends(sourceTree(t, 'Source: tiny\nMaintainer: x <x@x>\n'), 'tiny'), '');
  const e = await t.throwsAsync(buildDepends(sourceTree(t, '\n\n'), 'tiny'), { instanceOf: RecipeFailure });
  t.is(e!.message, 'tiny: debian/control has no source stanza');
});

const C = { name: 'jshon', suite: 'bookworm' };
const FAILED = new RecipeFailure('apt-get exited with 100');

test("apt's unmet build dependency is one line naming the relation", (t) => {
  const said = `Reading package lists...
Building dependency tree...
Some packages could not be installed. This may mean that you have
requested an impossible situation or if you are using the unstable
distribution that some required packages have not yet been created
or been moved out of Incoming.
The following information may help to resolve the situation:

The following packages have unmet dependencies:
 libfoo-dev : Depends: debhelper (>= 13.11) but 13.6 is to be installed
E: Unable to correct problems, you have held broken packages.
`;
  const e = unsatisfiable(C, said, FAILED);
  t.is(e.message, 'jshon: a build dependency cannot be satisfied on bookworm: debhelper (>= 13.11) but 13.6 is to be installed');
  t.is(e.details.hint, 'a source from a newer suite may need build tools bookworm lacks: pick another version, or build the tool too');
});

test("apt's own error is taken when no relation is named; other output keeps the failure as it was", (t) => {
  t.is(unsatisfiable(C, 'Reading package lists...\nE: Unable to locate package libjansson-dev\n', FAILED).message, 'jshon: a build dependency cannot be satisfied on bookworm: Unable to locate package libjansson-dev');
  t.is(unsatisfiable(C, ' satisfy:command-line : Depends: libjansson-dev (>= 2.14) but it is not going to be installed\n', FAILED).message, 'jshon: a build dependency cannot be satisfied on bookworm: libjansson-dev (>= 2.14) but it is not going to be installed');
  t.is(unsatisfiable(C, 'E: Unable to correct problems, you have held broken packages.\n', FAILED), FAILED);
  t.is(unsatisfiable(C, 'Err:1 http://deb.debian.org/debian bookworm InRelease\n', FAILED), FAILED);
});

test('the satisfy script installs the relations under the build profiles', (t) => {
  t.is(satisfyScript('debhelper-compat (= 13), check <!nocheck>', ['nocheck', 'nodoc']), `#!/bin/sh
set -eu
apt-get update
apt-get satisfy --yes --no-install-recommends -o APT::Build-Profiles=nocheck,nodoc 'debhelper-compat (= 13), check <!nocheck>'
apt-get clean
rm -rf /var/lib/apt/lists/*
`);
  t.is(satisfyScript("pkgconf, o'dd", []).split('\n')[3], "apt-get satisfy --yes --no-install-recommends 'pkgconf, odd'");
});

test('locked, the satisfy script reads only the locked packages and our builds, and a failure says the lock is stale', (t) => {
  const script = lockedSatisfyScript('libjansson-dev (>= 2.14), pkgconf', [], ['jansson']);
  t.true(script.includes("echo 'deb [trusted=yes] file:/var/lib/mkimage-lock ./' >/var/lib/mkimage-lock/sources.list"));
  t.true(script.includes("echo 'deb [trusted=yes] file:/var/lib/mkimage-built/jansson ./' >>/var/lib/mkimage-lock/sources.list"));
  t.regex(script, /-o Dir::Etc::SourceParts=\/var\/lib\/mkimage-lock\/parts/, 'none of the chroot\'s own sources (the archive)');
  t.regex(script, /apt-get \$o satisfy --yes --no-install-recommends 'libjansson-dev \(>= 2.14\), pkgconf'/);
  const e = unsatisfiable(C, ' satisfy:command-line : Depends: pkgconf but it is not installable\n', FAILED, true);
  t.is(e.message, 'jshon: the locked build dependencies do not satisfy its Build-Depends: pkgconf but it is not installable');
  t.is(e.details.hint, 'mkimage lock resolves them again');
});
