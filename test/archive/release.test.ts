// A Release signed with a key the test makes; gpgv checks it against a keyring with that key.
import test from 'ava';
import { createHash } from 'node:crypto';
import { checkIndexFile, parsePackages } from '../../src/archive/packages-index.ts';
import { verifyInRelease } from '../../src/archive/release.ts';
import { makeArchiveKey } from '../helpers/archive-key.ts';

const PACKAGES = `Package: hello
Version: 2.10-3
Architecture: amd64
Filename: pool/main/h/hello/hello_2.10-3_amd64.deb
Size: 56024
SHA256: ${'a'.repeat(64)}

Package: broken
Version: 1
Architecture: amd64
`;

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

const RELEASE = `Origin: mkimage-test
Suite: stable
Codename: bookworm
Date: Sat, 09 Nov 2026 10:12:47 UTC
Architectures: amd64
Components: main
SHA256:
 ${sha(PACKAGES)} ${Buffer.byteLength(PACKAGES)} main/binary-amd64/Packages
`;

/** The Release signed by a key of the test's own, and by another key. */
function signed() {
  const ours = makeArchiveKey('ours');
  const theirs = makeArchiveKey('theirs');
  return {
    ours: { keyring: ours.keyring, inRelease: ours.sign(RELEASE) },
    theirs: { keyring: theirs.keyring, inRelease: theirs.sign(RELEASE) },
    dispose: () => [ours, theirs].forEach((k) => k.dispose()),
  };
}

test('an InRelease signed by a key of the keyring gives its checksum table; another key, or a changed text, is refused', async (t) => {
  const { ours, theirs, dispose } = signed();
  t.teardown(dispose);
  const release = await verifyInRelease(ours.inRelease, ours.keyring, 'http://mirror/dists/stable/InRelease');
  if (!release.ok) return t.fail(release.error.message);
  t.is(release.value.codename, 'bookworm');
  t.deepEqual(release.value.files.get('main/binary-amd64/Packages'), { sha256: sha(PACKAGES), size: Buffer.byteLength(PACKAGES) });

  const stranger = await verifyInRelease(theirs.inRelease, ours.keyring, 'http://mirror/dists/stable/InRelease');
  t.false(stranger.ok);
  if (!stranger.ok) t.regex(stranger.error.message, /^http:\/\/mirror\/dists\/stable\/InRelease: the signature does not verify: /);

  const tampered = await verifyInRelease(ours.inRelease.replace('Codename: bookworm', 'Codename: bookwurm'), ours.keyring, 'x');
  t.false(tampered.ok);
  if (!tampered.ok) t.regex(tampered.error.message, /BAD signature/);
});

test('a Packages index is read only when it is what the Release says; a stanza without a sha256 is an error at its line', async (t) => {
  const { ours, dispose } = signed();
  t.teardown(dispose);
  const release = await verifyInRelease(ours.inRelease, ours.keyring, 'InRelease');
  if (!release.ok) return t.fail(release.error.message);
  t.true(checkIndexFile(release.value, 'main/binary-amd64/Packages', Buffer.from(PACKAGES), 'mirror').ok);
  const changed = checkIndexFile(release.value, 'main/binary-amd64/Packages', Buffer.from(PACKAGES.replace('56024', '56025')), 'mirror');
  t.false(changed.ok);
  if (!changed.ok) t.regex(changed.error.message, /^mirror: main\/binary-amd64\/Packages is not what the signed Release says/);
  t.false(checkIndexFile(release.value, 'contrib/binary-amd64/Packages', Buffer.from(''), 'mirror').ok);

  const parsed = parsePackages(PACKAGES, 'main/binary-amd64/Packages');
  t.false(parsed.ok);
  if (!parsed.ok) t.is(parsed.error.message, 'main/binary-amd64/Packages:8: package stanza without Package, Version, Architecture, Filename, Size or SHA256');
  const good = parsePackages(PACKAGES.split('\n\n')[0]!, 'P');
  t.deepEqual(good.ok && good.value, [{ name: 'hello', version: '2.10-3', architecture: 'amd64', filename: 'pool/main/h/hello/hello_2.10-3_amd64.deb', size: 56024, sha256: 'a'.repeat(64), from: 'P:1' }]);
});

test('a package stanza gives the names it provides and depends on (every alternative, Pre-Depends too)', (t) => {
  const text = [
    'Package: exim4-daemon-light',
    'Version: 4.96-15',
    'Architecture: amd64',
    'Pre-Depends: init-system-helpers (>= 1.54~)',
    'Depends: exim4-base (>= 4.96), libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, libdb5.3:any',
    'Provides: mail-transport-agent, exim4-localscanapi-6.0',
    'Filename: pool/main/e/exim4/exim4-daemon-light_4.96-15_amd64.deb',
    'Size: 1',
    `SHA256: ${'b'.repeat(64)}`,
  ].join('\n');
  const parsed = parsePackages(text, 'P');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.deepEqual(parsed.value[0]!.provides, ['mail-transport-agent', 'exim4-localscanapi-6.0']);
  t.deepEqual(parsed.value[0]!.depends, ['init-system-helpers', 'exim4-base', 'libc6', 'debconf', 'debconf-2.0', 'libdb5.3']);
});
