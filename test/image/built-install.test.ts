// An image with the project's package builds: the install scripts take ours in place of the
// archive's, and the root is checked to have them.

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecipeFailure } from '../../src/core/target.ts';
import { checkBuiltInstalled } from '../../src/image/stages/packages.ts';
import { aptInstallScript, lockedInstallScript } from '../../src/image/tools/apt.ts';
import { removedPackages } from '../../src/image/locked-install.ts';

test('without builds, the install script is what it always was', (t) => {
  const expected = `#!/bin/sh
set -eu
apt-get update
apt-get install --yes --no-install-recommends -o Dpkg::Options::=--force-confold nginx jshon
apt-get clean
rm -rf /var/lib/apt/lists/*
`;
  t.is(aptInstallScript(['nginx', 'jshon']), expected);
  t.is(aptInstallScript(['nginx', 'jshon'], []), expected);
  t.false(aptInstallScript(['nginx']).includes('ours'));
});

test('with builds, the script also reinstalls those of our binaries the root already has', (t) => {
  // The format's newline is a real one inside single quotes: one record per line, as sh reads it.
  t.is(aptInstallScript(['jshon'], ['libjansson4', 'libjansson-dev']), `#!/bin/sh
set -eu
apt-get update
ours=$(dpkg-query -W -f '\${db:Status-Abbrev} \${Package}
' libjansson4 libjansson-dev 2>/dev/null | awk '$1 == "ii" { print $2 }')
apt-get install --yes --no-install-recommends -o Dpkg::Options::=--force-confold jshon $ours
apt-get clean
rm -rf /var/lib/apt/lists/*
`);
});

test("the locked install script adds the builds' repositories to its own source list", (t) => {
  const script = lockedInstallScript(['jshon'], [{ name: 'jshon', version: '20131010-3+mkimage1+b1' }, { name: 'libjansson4', version: '2.14-2+mkimage1' }], [
    'deb [trusted=yes] file:/var/lib/mkimage-built/jansson ./',
    'deb [trusted=yes] file:/var/lib/mkimage-built/jshon ./',
  ]);
  t.deepEqual(script.split('\n').slice(2, 7), [
    'mkdir -p /var/lib/mkimage-lock/lists/partial /var/lib/mkimage-lock/parts',
    "echo 'deb [trusted=yes] file:/var/lib/mkimage-lock ./' >/var/lib/mkimage-lock/sources.list",
    "echo 'deb [trusted=yes] file:/var/lib/mkimage-built/jansson ./' >>/var/lib/mkimage-lock/sources.list",
    "echo 'deb [trusted=yes] file:/var/lib/mkimage-built/jshon ./' >>/var/lib/mkimage-lock/sources.list",
    'o="-o Dir::Etc::SourceList=/var/lib/mkimage-lock/sources.list -o Dir::Etc::SourceParts=/var/lib/mkimage-lock/parts -o Dir::State::Lists=/var/lib/mkimage-lock/lists -o Acquire::Languages=none"',
  ]);
  t.regex(script, /--force-confold jshon=20131010-3\+mkimage1\+b1 libjansson4=2\.14-2\+mkimage1$/m);
  t.regex(script, /^apt-mark auto libjansson4 >\/dev\/null\napt-get \$o autoremove --purge --yes$/m, "what only the archive's versions needed goes");
  t.false(lockedInstallScript(['jshon'], [{ name: 'jshon', version: '1' }]).includes('autoremove'), 'an image without builds is installed as locked, nothing removed');
  t.is(lockedInstallScript(['jshon'], [{ name: 'jshon', version: '1' }]), lockedInstallScript(['jshon'], [{ name: 'jshon', version: '1' }], []));
  // What a build replaces under another name is removed in the same apt run.
  t.regex(lockedInstallScript(['slapd'], [{ name: 'slapd', version: '2.6.10+dfsg-1+mkimage1' }], [], ['libldap-2.5-0']), /--force-confold slapd=2\.6\.10\+dfsg-1\+mkimage1 libldap-2\.5-0-$/m);
  t.false(lockedInstallScript(['jshon'], [{ name: 'jshon', version: '1' }]).includes('>>'));
});

/** A root whose dpkg status holds these stanzas. */
function rootWith(t: { teardown(fn: () => void): void }, packages: ReadonlyArray<readonly [name: string, version: string, status?: string]>): string {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-built-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(
    join(root, 'var/lib/dpkg/status'),
    packages.map(([name, version, status]) => `Package: ${name}\nStatus: ${status ?? 'install ok installed'}\nPriority: optional\nInstalled-Size: 90\nArchitecture: amd64\nVersion: ${version}\n`).join('\n'),
  );
  return root;
}

const BUILT = [
  { source: 'jansson', target: 'package/jansson', version: '2.14-2+mkimage1', binaries: ['libjansson-dev', 'libjansson-doc', 'libjansson4'], replaces: [] },
  { source: 'jshon', target: 'package/jshon', version: '20131010-3+mkimage1+b1', binaries: ['jshon'], replaces: [] },
];

test("a root with our builds' versions passes; binaries it lacks, or has only as config files, are no matter", (t) => {
  const root = rootWith(t, [['libc6', '2.36-9'], ['libjansson4', '2.14-2+mkimage1'], ['jshon', '20131010-3+mkimage1+b1'], ['libjansson-dev', '2.14-2', 'deinstall ok config-files']]);
  t.notThrows(() => checkBuiltInstalled(root, BUILT));
  t.notThrows(() => checkBuiltInstalled(root, []));
});

test("a root with the archive's version of our binary is an error naming both versions", (t) => {
  const root = rootWith(t, [['jshon', '20131010-3+mkimage1+b1'], ['libjansson4', '2.14-2'], ['libc6', '2.36-9']]);
  const e = t.throws(() => checkBuiltInstalled(root, BUILT), { instanceOf: RecipeFailure });
  t.is(e!.message, "the image has the archive's libjansson4 2.14-2 instead of the project's build (2.14-2+mkimage1)");
  t.is(e!.details.hint, 'the build did not make that binary (a build profile or architecture left it out), or its version sorts below');
  const both = rootWith(t, [['jshon', '20131010-3'], ['libjansson4', '2.14-2']]);
  t.is(t.throws(() => checkBuiltInstalled(both, BUILT))!.message, "the image has the archive's jshon 20131010-3, libjansson4 2.14-2 instead of the project's build (20131010-3+mkimage1+b1, 2.14-2+mkimage1)");
});

test("a library a build replaces under another name is an error while the root still has it", (t) => {
  const ldap = [{ source: 'openldap', target: 'package/openldap', version: '2.6.10+dfsg-1+mkimage1', binaries: ['libldap2', 'slapd'], replaces: ['libldap-2.5-0'] }];
  t.notThrows(() => checkBuiltInstalled(rootWith(t, [['libldap2', '2.6.10+dfsg-1+mkimage1'], ['slapd', '2.6.10+dfsg-1+mkimage1']]), ldap));
  const left = rootWith(t, [['libldap2', '2.6.10+dfsg-1+mkimage1'], ['libldap-2.5-0', '2.5.13+dfsg-5']]);
  const e = t.throws(() => checkBuiltInstalled(left, ldap), { instanceOf: RecipeFailure });
  t.is(e!.message, "the image still has the archive's libldap-2.5-0 2.5.13+dfsg-5 (replaced by the build of openldap)");
  t.is(e!.details.hint, "a package not rebuilt still needs it: rebuild its source too (rebuild: 'dependents')");
});

test("dpkg's removals are read by package name, its architecture and version left off", (t) => {
  const said = `Reading state information...
The following packages will be REMOVED:
  libodbc2* libperl5.36*
Removing libodbc2:amd64 (2.3.11-2+deb12u1) ...
Removing libperl5.36:amd64 (5.36.0-7+deb12u2) ...
Removing tzdata (2024a-0+deb12u1) ...
(Reading database ... 14000 files and directories currently installed.)
Purging configuration files for libodbc2:amd64 (2.3.11-2+deb12u1) ...
`;
  t.deepEqual(removedPackages(said), ['libodbc2', 'libperl5.36', 'tzdata']);
  t.deepEqual(removedPackages('Setting up libjansson4:amd64 (2.14-2+mkimage1) ...\n'), []);
});
