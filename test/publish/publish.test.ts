// Writing releases with a real gpg key of the test's own, from files that stand in for built
// images: the layout, the signatures (checked with gpg against the exported public key), the
// same bytes making no second release, a new one becoming current by the symlink, a killed
// writer's leftovers.

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Edition } from '../../src/publish/edition.ts';
import { publishRelease, type PublishInput } from '../../src/publish/publish.ts';
import { RELEASE_ID, releaseId } from '../../src/publish/release-record.ts';
import { checkSums } from '../../src/publish/sums.ts';
import { makeArchiveKey, type ArchiveKey } from '../helpers/archive-key.ts';

let key: ArchiveKey;
test.before(() => {
  key = makeArchiveKey('mkimage-publish');
});
test.after.always(() => key.dispose());

/** A project's out/ with an "image", its manifest and a lock, and a publish root. */
function setup(t: { teardown(fn: () => void): void }, image = 'image bytes\n') {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-publish-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out/web.iso'), image);
  writeFileSync(join(dir, 'out/web.iso.manifest.json'), JSON.stringify({ image: 'web.iso', packages: [{ name: 'nginx', version: '1.22.1-9', architecture: 'amd64' }, { name: 'base-files', version: '12.4', architecture: 'amd64' }] }));
  writeFileSync(join(dir, 'mkimage.lock'), '# lock\n');
  const input = (now = new Date('2026-12-03T10:00:00Z'), own: string[] = []): PublishInput => ({
    edition: new Edition(join(dir, 'root'), 'web', 'testing'),
    images: [{ file: join(dir, 'out/web.iso'), manifest: join(dir, 'out/web.iso.manifest.json') }],
    lock: join(dir, 'mkimage.lock'),
    own,
    suite: 'bookworm',
    signer: { key: key.uid, env: { GNUPGHOME: key.home }, signal: new AbortController().signal },
    now,
  });
  return { dir, input, root: join(dir, 'root') };
}

test('a release id is the UTC date and the start of the content digest', (t) => {
  t.is(releaseId(new Date('2026-12-03T23:59:59Z'), 'ab'.repeat(32)), '20261203-abababababab');
  t.regex(releaseId(new Date(), 'cd'.repeat(32)), RELEASE_ID);
});

test('a release holds the images, their manifests, the lock and the public key, listed in SHA256SUMS, which is signed; current points at it', async (t) => {
  const { input, root } = setup(t);
  const r = await publishRelease(input());
  if (!r.ok) return t.fail(r.error.message);
  t.true(r.value.created);
  t.regex(r.value.id, /^20261203-[0-9a-f]{12}$/);
  const dir = join(root, 'web/testing/releases', r.value.id);
  t.deepEqual(readdirSync(dir).sort(), ['SHA256SUMS', 'SHA256SUMS.asc', 'images', 'mkimage.lock', 'release.json', 'signing-key.asc']);
  t.deepEqual(readdirSync(join(dir, 'images')).sort(), ['web.iso', 'web.iso.manifest.json']);
  t.is(readlinkSync(join(root, 'web/testing/current')), `releases/${r.value.id}`);
  t.deepEqual(await checkSums(dir, readFileSync(join(dir, 'SHA256SUMS'), 'utf8')), []);
  t.deepEqual(readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(66)), ['images/web.iso', 'images/web.iso.manifest.json', 'mkimage.lock', 'signing-key.asc']);
  // A host checks it with the public key the release carries.
  const keyring = join(dir, '..', '..', 'host.gpg');
  execFileSync('gpg', ['--batch', '--quiet', '--no-default-keyring', '--keyring', keyring, '--import', join(dir, 'signing-key.asc')], { stdio: 'ignore' });
  t.notThrows(() => execFileSync('gpgv', ['--keyring', keyring, join(dir, 'SHA256SUMS.asc'), join(dir, 'SHA256SUMS')], { stdio: 'pipe' }));
  const record = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'));
  t.like(record, { id: r.value.id, distro: 'web', edition: 'testing', created: '2026-12-03T10:00:00.000Z', own: [] });
  t.deepEqual(record.images.map((i: { path: string; bytes: number }) => [i.path, i.bytes]), [['images/web.iso', 12]]);
  t.deepEqual(record.packages.map((p: { name: string }) => p.name), ['base-files', 'nginx']);
  t.regex(record.key, /^[0-9A-F]{40}$/);
});

test('the same bytes published again make no second release; other bytes make one, which becomes current', async (t) => {
  const { dir, input, root } = setup(t);
  const first = await publishRelease(input());
  const again = await publishRelease(input(new Date('2026-12-04T10:00:00Z')));
  if (!first.ok || !again.ok) return t.fail();
  t.false(again.value.created);
  t.is(again.value.id, first.value.id);
  writeFileSync(join(dir, 'out/web.iso'), 'other image bytes\n');
  const second = await publishRelease(input(new Date('2026-12-04T10:00:00Z')));
  if (!second.ok) return t.fail(second.error.message);
  t.true(second.value.created);
  t.true(second.value.id.startsWith('20261204-'));
  t.is(readlinkSync(join(root, 'web/testing/current')), `releases/${second.value.id}`);
  t.deepEqual(new Edition(root, 'web', 'testing').releases().map((r) => r.id), [first.value.id, second.value.id]);
  // The first release is as it was: still verifies.
  const old = join(root, 'web/testing/releases', first.value.id);
  t.deepEqual(await checkSums(old, readFileSync(join(old, 'SHA256SUMS'), 'utf8')), []);
});

test('a changed file is named by the check against SHA256SUMS', async (t) => {
  const { input, root } = setup(t);
  const r = await publishRelease(input());
  if (!r.ok) return t.fail();
  const dir = join(root, 'web/testing/releases', r.value.id);
  chmodSync(join(dir, 'mkimage.lock'), 0o644);
  writeFileSync(join(dir, 'mkimage.lock'), '# changed\n');
  writeFileSync(join(dir, 'images/extra'), 'x');
  const problems = await checkSums(dir, readFileSync(join(dir, 'SHA256SUMS'), 'utf8'));
  t.is(problems.length, 2);
  t.regex(problems[0]!, /^mkimage\.lock has sha256 [0-9a-f]{16}…, SHA256SUMS says [0-9a-f]{16}…$/);
  t.is(problems[1], 'images/extra is not in SHA256SUMS');
});

test("a key gpg does not have is refused before anything is written", async (t) => {
  const { input, root } = setup(t);
  const r = await publishRelease({ ...input(), signer: { ...input().signer, key: 'nobody@test.invalid' } });
  t.false(r.ok);
  if (!r.ok) {
    t.is(r.error.message, `no secret key nobody@test.invalid in the gpg keyring ${key.home}`);
    t.is(r.error.hint, 'gpg --list-secret-keys shows the keys you can sign with');
  }
  t.false(existsSync(root));
});

test('two publishes at once both end correct: two releases, one current, nothing left over', async (t) => {
  const a = setup(t, 'image a\n');
  const b = { ...a.input(new Date('2026-12-03T11:00:00Z')) };
  writeFileSync(join(a.dir, 'out/web-b.iso'), 'image b\n');
  writeFileSync(join(a.dir, 'out/web-b.iso.manifest.json'), '{"packages":[]}');
  const [one, two] = await Promise.all([publishRelease(a.input()), publishRelease({ ...b, images: [{ file: join(a.dir, 'out/web-b.iso'), manifest: join(a.dir, 'out/web-b.iso.manifest.json') }] })]);
  if (!one.ok || !two.ok) return t.fail();
  t.true(one.value.created && two.value.created);
  const releases = join(a.root, 'web/testing/releases');
  t.deepEqual(readdirSync(releases).sort(), [one.value.id, two.value.id].sort());
  t.true([one.value.id, two.value.id].map((id) => `releases/${id}`).includes(readlinkSync(join(a.root, 'web/testing/current'))));
  t.false(existsSync(join(a.root, 'web/testing/.locks/edition.lock')) && readdirSync(join(a.root, 'web/testing/.locks/edition.lock')).length > 0, 'the mutex is free');
});

test("what a killed writer left is removed by the next", async (t) => {
  const { dir, input, root } = setup(t);
  const first = await publishRelease(input());
  if (!first.ok) return t.fail();
  // A writer killed mid-write (pid 999999 is not running): its temporary release and link.
  const releases = join(root, 'web/testing/releases');
  mkdirSync(join(releases, '.tmp-999999-1-1/images'), { recursive: true });
  writeFileSync(join(root, 'web/testing/.current.tmp-999999-1'), '');
  writeFileSync(join(dir, 'out/web.iso'), 'newer\n');
  const second = await publishRelease(input());
  if (!second.ok) return t.fail(second.error.message);
  t.deepEqual(readdirSync(releases).filter((n) => n.startsWith('.')), []);
  t.false(existsSync(join(root, 'web/testing/.current.tmp-999999-1')));
  t.is(readlinkSync(join(root, 'web/testing/current')), `releases/${second.value.id}`);
});
