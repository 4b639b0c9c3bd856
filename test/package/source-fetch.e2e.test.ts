// The network: the real jshon source of bookworm, found through the signed Sources index of
// deb.debian.org, downloaded and checked file by file, then unpacked by dpkg-source.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchSourcesIndex, findSource } from '../../src/archive/sources-index.ts';
import { fetchSourceFiles } from '../../src/package/source-fetch.ts';

const MIRROR = 'http://deb.debian.org/debian';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test.serial('jshon from bookworm: fetched, checked, unpacked; a corrupt file is fetched again; a wrong sha256 keeps nothing', async (t) => {
  const index = await fetchSourcesIndex({ url: MIRROR, suite: 'bookworm', components: ['main'], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' });
  if (!index.ok) return t.fail(index.error.message);
  const jshon = findSource(index.value, 'jshon');
  if (!jshon.ok) return t.fail(jshon.error.message);
  t.deepEqual(jshon.value.binaries, ['jshon']);
  t.true(jshon.value.buildDependsNames.includes('libjansson-dev'));

  const dir = mkdtempSync(join(tmpdir(), 'mkimage-source-fetch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = join(dir, 'files');
  const dsc = await fetchSourceFiles(jshon.value, MIRROR, files);
  if (!dsc.ok) return t.fail(dsc.error.message);
  t.is(dsc.value, join(files, `jshon_${jshon.value.version}.dsc`));
  t.true(existsSync(dsc.value));
  t.deepEqual(readdirSync(files).sort(), jshon.value.files.map((f) => f.name).sort(), 'every file, and no partial one left');
  const unpack = spawnSync('dpkg-source', ['-x', dsc.value, join(dir, 'src')], { cwd: files, encoding: 'utf8' });
  t.is(unpack.status, 0, unpack.stderr);
  t.true(existsSync(join(dir, 'src/debian/changelog')));

  // One file rots; the next fetch replaces it and leaves the good ones alone.
  const [first, second] = jshon.value.files.filter((f) => !f.name.endsWith('.dsc'));
  if (!first) return t.fail('jshon has no file besides its .dsc');
  writeFileSync(join(files, first.name), 'not the tarball');
  const dscBefore = statSync(dsc.value).mtimeMs;
  const again = await fetchSourceFiles(jshon.value, MIRROR, files);
  t.true(again.ok);
  t.is(sha256(join(files, first.name)), first.sha256);
  t.is(statSync(dsc.value).mtimeMs, dscBefore, 'a good file is not downloaded again');

  // The index says another sha256: the download fails, naming the file and the source, and nothing is kept.
  const wanted = second ?? first;
  const tampered = { ...jshon.value, files: jshon.value.files.map((f) => (f.name === wanted.name ? { ...f, sha256: '0'.repeat(64) } : f)) };
  const fresh = join(dir, 'fresh');
  const bad = await fetchSourceFiles(tampered, MIRROR, fresh);
  t.false(bad.ok);
  if (!bad.ok) {
    t.true(bad.error.message.startsWith(`jshon ${jshon.value.version}: ${wanted.name} from ${MIRROR}/${jshon.value.directory}/${wanted.name} is not the file the signed index names`), bad.error.message);
  }
  t.false(existsSync(join(fresh, wanted.name)));
  t.deepEqual(readdirSync(fresh).filter((n) => n.endsWith('.partial')), []);

  // A file the mirror does not have: the HTTP status, naming the file and the source.
  const missing = { ...jshon.value, files: [...jshon.value.files, { name: 'jshon_0.orig.tar.gz', size: 1, sha256: '0'.repeat(64) }] };
  const notFound = await fetchSourceFiles(missing, MIRROR, files);
  t.false(notFound.ok);
  if (!notFound.ok) t.is(notFound.error.message, `jshon ${jshon.value.version}: jshon_0.orig.tar.gz: ${MIRROR}/${jshon.value.directory}/jshon_0.orig.tar.gz: HTTP 404 Not Found`);
});
