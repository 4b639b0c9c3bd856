// A test mirror served by a real nginx on loopback: a suite signed with a key the test makes,
// its Packages.xz; the index is read only when every byte checks out.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchSuiteIndex, type SuiteSource } from '../../src/archive/suite-index.ts';
import { makeArchiveKey } from '../helpers/archive-key.ts';
import { startNginx } from '../helpers/nginx.ts';

const stanza = (name: string, version: string, arch: string) => `Package: ${name}
Version: ${version}
Architecture: ${arch}
Filename: pool/main/${name[0]}/${name}/${name}_${version}_${arch}.deb
Size: ${100 + name.length}
SHA256: ${createHash('sha256').update(name + version).digest('hex')}
`;

const PACKAGES = [stanza('hello', '2.10-3', 'amd64'), stanza('hello', '2.10-2', 'amd64'), stanza('tzdata', '2025b-0+deb12u1', 'all'), stanza('arm-only', '1', 'arm64')].join('\n');

function mirror(t: { teardown(f: () => void | Promise<void>): void }) {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-mirror-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const key = makeArchiveKey();
  t.teardown(() => key.dispose());
  const dists = join(root, 'debian/dists/stable');
  mkdirSync(join(dists, 'main/binary-amd64'), { recursive: true });
  writeFileSync(join(dists, 'main/binary-amd64/Packages'), PACKAGES);
  execFileSync('xz', ['-k', join(dists, 'main/binary-amd64/Packages')]);
  const publish = () => {
    const line = (p: string) => {
      const bytes = execFileSync('cat', [join(dists, p)]);
      return ` ${createHash('sha256').update(bytes).digest('hex')} ${bytes.length} ${p}`;
    };
    const release = `Suite: stable\nCodename: bookworm\nDate: Sat, 09 Nov 2026 10:12:47 UTC\nArchitectures: amd64 arm64\nComponents: main\nSHA256:\n${line('main/binary-amd64/Packages')}\n${line('main/binary-amd64/Packages.xz')}\n`;
    writeFileSync(join(dists, 'InRelease'), key.sign(release));
  };
  publish();
  return { root, dists, key, publish };
}

test.serial('a suite from a mirror: verified, then its packages for the architecture and all, by name', async (t) => {
  const m = mirror(t);
  const nginx = await startNginx(m.root);
  t.teardown(() => nginx.stop());
  const source: SuiteSource = { url: `${nginx.url}/debian`, suite: 'stable', components: ['main'], keyring: m.key.keyring };
  const index = await fetchSuiteIndex(source, 'amd64');
  if (!index.ok) return t.fail(index.error.message);
  t.is(index.value.release.codename, 'bookworm');
  t.deepEqual([...index.value.packages.keys()].sort(), ['hello', 'tzdata']);
  t.deepEqual(index.value.packages.get('hello')!.map((p) => p.version), ['2.10-3', '2.10-2']);
  t.regex(index.value.packages.get('tzdata')![0]!.from, /\/dists\/stable\/main\/binary-amd64\/Packages:\d+$/);
});

test.serial('a tampered index, a stranger key, a wrong suite and a mirror that is down: each one line naming the URL', async (t) => {
  const m = mirror(t);
  const nginx = await startNginx(m.root);
  t.teardown(() => nginx.stop());
  const source: SuiteSource = { url: `${nginx.url}/debian`, suite: 'stable', components: ['main'], keyring: m.key.keyring };

  // The index changed after the Release was signed: its checksum no longer matches.
  writeFileSync(join(m.dists, 'main/binary-amd64/Packages'), PACKAGES.replace('2.10-3', '2.10-4'));
  rmSync(join(m.dists, 'main/binary-amd64/Packages.xz'));
  execFileSync('xz', ['-k', join(m.dists, 'main/binary-amd64/Packages')]);
  const tampered = await fetchSuiteIndex(source, 'amd64');
  t.false(tampered.ok);
  if (!tampered.ok) t.regex(tampered.error.message, /dists\/stable: main\/binary-amd64\/Packages\.xz is not what the signed Release says/);
  m.publish();
  t.true((await fetchSuiteIndex(source, 'amd64')).ok, 'signed again, it is read');

  const stranger = makeArchiveKey('stranger');
  t.teardown(() => stranger.dispose());
  const wrongKey = await fetchSuiteIndex({ ...source, keyring: stranger.keyring }, 'amd64');
  t.false(wrongKey.ok);
  if (!wrongKey.ok) t.regex(wrongKey.error.message, /dists\/stable\/InRelease: the signature does not verify/);

  const wrongSuite = await fetchSuiteIndex({ ...source, suite: 'stabel' }, 'amd64');
  t.false(wrongSuite.ok);
  if (!wrongSuite.ok) t.is(wrongSuite.error.message, `${nginx.url}/debian/dists/stabel/InRelease: HTTP 404 Not Found`);

  await nginx.stop();
  const down = await fetchSuiteIndex(source, 'amd64');
  t.false(down.ok);
  if (!down.ok) t.regex(down.error.message, /InRelease: .*ECONNREFUSED/);
});
