import test from 'ava';
import { parseAptSimulation, pin } from '../../src/archive/pin.ts';
import { parseSources } from '../../src/archive/sources-list.ts';
import type { SuiteIndex } from '../../src/archive/suite-index.ts';

test("apt's simulation: each Inst line's package, version and architecture, once", (t) => {
  const out = [
    'Reading package lists...',
    'Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])',
    'Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64]) []',
    'Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.15/oldstable-updates [all])',
    'Conf libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
    'Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
  ].join('\n');
  t.deepEqual(parseAptSimulation(out), [
    { name: 'gcc-12-base', version: '12.2.0-14+deb12u1', architecture: 'amd64' },
    { name: 'libc6', version: '2.36-9+deb12u14', architecture: 'amd64' },
    { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all' },
  ]);
});

const index = (url: string, suite: string, pkgs: Array<[string, string]>): SuiteIndex => ({
  source: { url, suite, components: ['main'], keyring: '/k' },
  release: { suite, codename: suite, date: '', components: ['main'], architectures: ['amd64'], files: new Map() },
  packages: new Map(pkgs.map(([n, v]) => [n, [{ name: n, version: v, architecture: 'amd64', filename: `pool/${n}_${v}.deb`, size: 10, sha256: 'a'.repeat(64), from: 'P:1' }]])),
});

test('pinned to the index that has that version; a choice no index holds is an error naming it', (t) => {
  const indexes = [index('http://m/debian', 'bookworm', [['libc6', '2.36-9']]), index('http://m/debian-security', 'bookworm-security', [['libc6', '2.36-9+deb12u14']])];
  const pinned = pin([{ name: 'libc6', version: '2.36-9+deb12u14', architecture: 'amd64' }], indexes, 'bootstrap');
  t.deepEqual(pinned.ok && pinned.value.map((p) => [p.mirror, p.filename, p.stage]), [['http://m/debian-security', 'pool/libc6_2.36-9+deb12u14.deb', 'bootstrap']]);
  const missing = pin([{ name: 'libc6', version: '2.37-1', architecture: 'amd64' }], indexes, 'packages');
  t.false(missing.ok);
  if (!missing.ok) t.regex(missing.error.message, /^libc6 2\.37-1 \(amd64\), which apt chose, is in no verified index of http:\/\/m\/debian bookworm, /);
});

test('sources: one-line with options and comments, deb822 with several URIs and suites; deb-src and disabled ones left out', (t) => {
  t.deepEqual(parseSources('# the archive\ndeb [arch=amd64 signed-by=/k.gpg] http://m/debian bookworm main contrib\ndeb-src http://m/debian bookworm main\ndeb http://m/debian-security bookworm-security main # security\n', false), [
    { url: 'http://m/debian', suite: 'bookworm', components: ['main', 'contrib'], keyring: '/k.gpg' },
    { url: 'http://m/debian-security', suite: 'bookworm-security', components: ['main'], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' },
  ]);
  const sources = parseSources('Types: deb\n# a comment\nURIs: http://m/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /k.gpg\n\nTypes: deb\nEnabled: no\nURIs: http://x\nSuites: y\nComponents: main\n', true);
  t.deepEqual(sources.map((s) => `${s.url} ${s.suite} ${s.keyring}`), ['http://m/debian bookworm /k.gpg', 'http://m/debian bookworm-updates /k.gpg']);
});
