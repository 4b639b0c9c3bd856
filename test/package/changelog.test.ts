import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions } from '../../src/archive/version.ts';
import { binNmuVersion, changelogEntry, changelogHead, prependEntry, suffixedVersion, upstreamVersion } from '../../src/package/changelog.ts';

const DEBIAN = `jansson (2.14-2) unstable; urgency=medium

  * Upload to unstable.

 -- Alessandro Ghedini <ghedo@debian.org>  Sun, 06 Nov 2022 19:21:32 +0000

jansson (2.14-1) experimental; urgency=medium

  * New upstream release.

 -- Alessandro Ghedini <ghedo@debian.org>  Sat, 05 Nov 2022 12:00:00 +0000
`;

test('an entry at the epoch, in Debian’s exact format', (t) => {
  t.is(
    changelogEntry({ source: 'jansson', version: '2.14-2+mkimage1', distribution: 'bookworm', changes: ['Rebuilt by mkimage.'], date: 0 }),
    'jansson (2.14-2+mkimage1) bookworm; urgency=medium\n\n  * Rebuilt by mkimage.\n\n -- mkimage <mkimage@localhost>  Thu, 01 Jan 1970 00:00:00 +0000\n',
  );
});

test('an entry in 2024: UTC, two-digit day, several changes, its own maintainer and urgency', (t) => {
  // 2024-03-05T07:08:09Z, a Tuesday.
  const date = Date.UTC(2024, 2, 5, 7, 8, 9) / 1000;
  t.is(
    changelogEntry({ source: 'openldap', version: '2.6.10+dfsg-1+mkimage1', distribution: 'bookworm', urgency: 'low', changes: ['Backport to bookworm.', 'Strict TLS:\nno fallback.'], maintainer: 'Ops <ops@example.org>', date }),
    'openldap (2.6.10+dfsg-1+mkimage1) bookworm; urgency=low\n\n  * Backport to bookworm.\n  * Strict TLS:\n    no fallback.\n\n -- Ops <ops@example.org>  Tue, 05 Mar 2024 07:08:09 +0000\n',
  );
});

test('prependEntry: dpkg-parsechangelog reads our entry on top, with its version and date', (t) => {
  const date = Date.UTC(2024, 2, 5, 7, 8, 9) / 1000;
  const text = prependEntry(DEBIAN, changelogEntry({ source: 'jansson', version: '2.14-2+mkimage1', distribution: 'bookworm', changes: ['Rebuilt by mkimage.'], date }));
  t.true(text.includes('+0000\n\njansson (2.14-2) unstable'), 'one blank line between the entries');
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-changelog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'changelog'), text);
  const run = spawnSync('dpkg-parsechangelog', ['-l', join(dir, 'changelog')], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  t.is(run.stderr, '', 'no warnings');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(run.stdout)?.[1];
  t.is(field('Source'), 'jansson');
  t.is(field('Version'), '2.14-2+mkimage1');
  t.is(field('Distribution'), 'bookworm');
  t.is(field('Date'), 'Tue, 05 Mar 2024 07:08:09 +0000');
  t.is(field('Timestamp'), String(date));
  t.deepEqual(changelogHead(text), { ok: true, value: { source: 'jansson', version: '2.14-2+mkimage1', distribution: 'bookworm' } });
});

test('changelogHead: the newest entry; a text that does not start with a header names its line', (t) => {
  t.deepEqual(changelogHead(`\n${DEBIAN}`), { ok: true, value: { source: 'jansson', version: '2.14-2', distribution: 'unstable' } });
  const bad = changelogHead('\n  * a change without its header\n');
  t.false(bad.ok);
  if (!bad.ok) t.regex(bad.error.message, /^debian\/changelog:2: not an entry's header/);
});

test('suffixed and binNMU-style versions sort above the original', (t) => {
  t.is(suffixedVersion('2.14-2', '+mkimage1'), '2.14-2+mkimage1');
  t.is(binNmuVersion('20131105-1', '+mkimage1', 1), '20131105-1+mkimage1+b1');
  for (const v of ['2.14-2', '1:2.5.13+dfsg-5', '20131105', '1.0~rc1-1']) {
    const ours = suffixedVersion(v, '+mkimage1');
    t.true(compareVersions(ours, v) > 0, `${ours} > ${v}`);
    t.true(compareVersions(binNmuVersion(v, '+mkimage1', 1), ours) > 0);
    t.true(compareVersions(binNmuVersion(v, '+mkimage1', 2), binNmuVersion(v, '+mkimage1', 1)) > 0);
  }
});

test('another upstream version takes revision 0 and the suffix, keeps the epoch, and sorts above the archive version it follows', (t) => {
  t.is(upstreamVersion('2.14-2', '2.14.1', '+mkimage1'), '2.14.1-0+mkimage1');
  t.is(upstreamVersion('1:2.5.13+dfsg-5', '2.6.0', '+mkimage1'), '1:2.6.0-0+mkimage1');
  t.true(compareVersions(upstreamVersion('2.14-2', '2.14.1', '+mkimage1'), '2.14-2') > 0);
  // Below Debian's own upload of the same upstream version: once the archive has it, its revision 1 sorts above ours.
  t.true(compareVersions(upstreamVersion('2.14-2', '2.14.1', '+mkimage1'), '2.14.1-1') < 0);
});
