// What moved between two releases (packages, lock lines, image sizes), and the boot gate read
// from a release's records.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordBoot } from '../../src/publish/boot-record.ts';
import { bootGate } from '../../src/publish/gates.ts';
import { diffReleases, formatReleaseDiff } from '../../src/publish/release-diff.ts';
import type { ReleaseRecord } from '../../src/publish/release-record.ts';

const record = (id: string, packages: Array<[string, string]>, images: Array<[string, number, string]>): ReleaseRecord => ({
  id, distro: 'ldap-server', edition: 'testing', created: '2026-12-03T10:00:00.000Z', digest: '0'.repeat(64), key: 'F'.repeat(40), own: [],
  images: images.map(([path, bytes, sha256]) => ({ path, bytes, sha256 })),
  packages: packages.map(([name, version]) => ({ name, version, architecture: 'amd64' })),
});

test('the diff of two releases: packages added, removed and moved; lock lines; image sizes', (t) => {
  const a = record('20261201-aaaaaaaaaaaa', [['curl', '7.88.1-10'], ['slapd', '2.5.13+dfsg-5'], ['libldap-2.5-0', '2.5.13+dfsg-5']], [['images/ldap-server.iso', 300 << 20, 'a'], ['images/old.tar.zst', 1000, 'b']]);
  const b = record('20261203-bbbbbbbbbbbb', [['curl', '7.88.1-10+mkimage1+b1'], ['slapd', '2.6.10+dfsg-1+mkimage1'], ['libldap2', '2.6.10+dfsg-1+mkimage1']], [['images/ldap-server.iso', 310 << 20, 'c']]);
  const d = diffReleases(a, b, '# lock\ndistro x\npackage a 1\npackage b 1\n', '# lock 2\ndistro x\npackage a 2\npackage b 1\npackage c 1\n');
  t.deepEqual(d.packages.added.map((p) => p.name), ['libldap2']);
  t.deepEqual(d.packages.removed.map((p) => p.name), ['libldap-2.5-0']);
  t.deepEqual(d.packages.changed, [{ name: 'curl', from: '7.88.1-10', to: '7.88.1-10+mkimage1+b1' }, { name: 'slapd', from: '2.5.13+dfsg-5', to: '2.6.10+dfsg-1+mkimage1' }]);
  t.deepEqual(d.lock, { added: 2, removed: 1 }, 'comments are no lock lines');
  t.deepEqual(d.images, [{ path: 'images/ldap-server.iso', from: 300 << 20, to: 310 << 20 }, { path: 'images/old.tar.zst', from: 1000 }]);
  t.deepEqual(formatReleaseDiff(d, (n) => `${n}B`, 2), [
    'packages: +1 -1 ~2: curl 7.88.1-10 -> 7.88.1-10+mkimage1+b1, slapd 2.5.13+dfsg-5 -> 2.6.10+dfsg-1+mkimage1, and 2 more',
    'lock: +2 -1 lines',
    `images/ldap-server.iso: ${300 << 20}B -> ${310 << 20}B`,
    'images/old.tar.zst: 1000B -> gone',
  ]);
  t.deepEqual(formatReleaseDiff(diffReleases(a, a, 'x', 'x'), String).slice(0, 2), ['packages: +0 -0 ~0', 'lock: the same']);
});

test('the boot gate: every ISO needs a passing record of its own bytes; a failed or stale one is named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-gate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = record('20261203-bbbbbbbbbbbb', [], [['images/ldap-server.iso', 10, 'c'.repeat(64)], ['images/ldap-server.tar.zst', 5, 'd'.repeat(64)]]);
  t.deepEqual(bootGate({ dir, record: r }), { name: 'boot', ok: false, said: [`ldap-server.iso has no boot check (mkimage boot ${dir}/images/ldap-server.iso records one)`] });
  const at = '2026-12-03T10:00:00Z';
  await recordBoot(dir, { image: 'ldap-server.iso', sha256: 'e'.repeat(64), firmware: 'BIOS', ok: true, said: 'login prompt after 50s', at });
  t.false(bootGate({ dir, record: r }).ok, 'a record of other bytes does not count');
  await recordBoot(dir, { image: 'ldap-server.iso', sha256: 'c'.repeat(64), firmware: 'UEFI', ok: false, said: 'timeout: no login prompt after 300s', at });
  t.deepEqual(bootGate({ dir, record: r }).said, ['ldap-server.iso failed its boot check: UEFI: timeout: no login prompt after 300s']);
  await recordBoot(dir, { image: 'ldap-server.iso', sha256: 'c'.repeat(64), firmware: 'BIOS', ok: true, said: 'login prompt after 52s (tcg)', at });
  t.false(bootGate({ dir, record: r }).ok, 'a BIOS pass does not make up for the UEFI failure');
  await recordBoot(dir, { image: 'ldap-server.iso', sha256: 'c'.repeat(64), firmware: 'UEFI', ok: true, said: 'login prompt after 61s (tcg)', at: '2026-12-03T11:00:00Z' });
  t.deepEqual(bootGate({ dir, record: r }), { name: 'boot', ok: true, said: ['ldap-server.iso: booted (BIOS: login prompt after 52s (tcg); UEFI: login prompt after 61s (tcg))'] });
  t.deepEqual(bootGate({ dir, record: record('x', [], [['images/a.tar.zst', 1, 'f']]) }), { name: 'boot', ok: true, said: ['no ISO in the release (nothing a boot check boots)'] });
});
