// A custom package (localSource) end to end, with the example examples/custom-package: a small
// C program built from the feature's folder in the buildd chroot, before the image is locked,
// so that the lock pins what dpkg-shlibdeps made it depend on (libjansson4, which nothing
// asked for); the image's root runs it. Editing its code rebuilds it and the image and leaves
// the lock alone; editing its Depends re-locks; a declaration that does not match the folder,
// and a build that fails before the lock, are one-line errors that leave the lock as it was.

import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInTarball } from '../helpers/image-root.ts';
import { ProjectRig, type RunResult } from '../helpers/project-rig.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/custom-package/', import.meta.url));
const SOURCE = 'features/hello/mkimage-hello';
const HELLO = readFileSync(join(EXAMPLE, SOURCE, 'hello.c'), 'utf8');
const CONTROL = readFileSync(join(EXAMPLE, SOURCE, 'debian/control'), 'utf8');
const FEATURE = readFileSync(join(EXAMPLE, 'features/hello/feature.ts'), 'utf8');
const env = { SOURCE_DATE_EPOCH: '1700000000' };

const rig = new ProjectRig({}, join(mkdtempSync('/var/tmp/mkimage-local-'), 'store'));
cpSync(EXAMPLE, rig.dir, { recursive: true });
const build = (): Promise<RunResult> => rig.run(['--json', 'hello-tools.tar'], env);
const lock = () => readFileSync(rig.path('mkimage.lock'), 'utf8');

/** Runs a command in the image root the tarball holds. */
const inImage = (...command: string[]): string => runInTarball(rig.path('out/hello-tools.tar.zst'), command);

test.after.always(() => {
  rmSync(join(rig.store, '..'), { recursive: true, force: true });
  rig.dispose();
});

test.serial('built from the folder before the lock: the lock pins what it depends on, and the image runs it', async (t) => {
  const first = await build();
  t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
  t.regex(first.stderr, /mkimage\.lock: build chroot bookworm-amd64 locked: \d+ packages/);
  t.regex(first.stderr, /package mkimage-hello: built before the lock of the images that install it/);
  // Its build dependencies were locked first (on the chroot, for its Build-Depends: what made the chroot and read them ran then).
  t.regex(first.stderr, /mkimage\.lock: the build dependencies of mkimage-hello locked: \d+ packages/);
  t.regex(first.stderr, /package mkimage-hello: built in \S+ \(\d of 5 steps ran\)/);
  t.regex(lock(), /^build-deps mkimage-hello package libjansson-dev 2\.14-\S+ amd64 \d+ [0-9a-f]{64} http:\/\/deb\.debian\.org\/debian pool\/main\/j\/jansson\/\S+\.deb$/m);
  for (const id of ['buildd/bookworm-amd64', 'package/mkimage-hello/build-depends', 'package/mkimage-hello/build-deps', 'package/mkimage-hello']) t.true(first.of('started').includes(id), `${id} ran in this run (before the lock)`);
  // The image build finds the package built.
  for (const id of ['buildd/bookworm-amd64', 'package/mkimage-hello/source', 'package/mkimage-hello']) t.true(first.of('cached').includes(id), id);
  t.regex(lock(), /^local hello-tools mkimage-hello mkimage-hello 1\.0 amd64$/m);
  // The build chroot it was built on is pinned too (and was made from the pool).
  t.regex(lock(), /^buildd bookworm-amd64 package build-essential \S+ amd64 \d+ [0-9a-f]{64} http:\/\/deb\.debian\.org\/debian pool\/\S+\.deb$/m);
  // Nothing asked for libjansson4: the built binary's Depends (dpkg-shlibdeps) did.
  t.regex(lock(), /^package hello-tools packages libjansson4 2\.14-\S+ amd64 \d+ [0-9a-f]{64} http:\/\/deb\.debian\.org\/debian pool\/main\/j\/jansson\/\S+\.deb$/m);
  t.is(inImage('mkimage-hello', 'mkimage'), '{"hello": "mkimage"}\n');
  t.regex(inImage('dpkg-query', '-W', 'mkimage-hello'), /^mkimage-hello\t1\.0$/m);
  const again = await build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.of('started'), []);
  t.notRegex(again.stderr, /built before the lock/);
});

test.serial('editing its code rebuilds it and the image, and leaves the lock alone', async (t) => {
  const before = lock();
  rig.write({ [`${SOURCE}/hello.c`]: HELLO.replace('"hello"', '"greetings"') });
  const r = await build();
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  t.is(lock(), before);
  t.notRegex(r.stderr, /built before the lock|re-locked/);
  const started = r.of('started');
  for (const id of ['package/mkimage-hello/source', 'package/mkimage-hello', 'hello-tools/packages']) t.true(started.includes(id), id);
  for (const id of ['buildd/bookworm-amd64', 'package/mkimage-hello/build-deps', 'hello-tools/bootstrap']) t.false(started.includes(id), id);
  t.is(inImage('mkimage-hello'), '{"greetings": "world"}\n');
});

test.serial('editing its Depends builds it before the lock again, and the lock moves', async (t) => {
  rig.write({ [`${SOURCE}/debian/control`]: CONTROL.replace('Depends: ${shlibs:Depends}', 'Depends: jq, ${shlibs:Depends}') });
  const r = await build();
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  t.regex(r.stderr, /hello-tools re-locked for its changed inputs: .*\+jq /);
  t.regex(lock(), /^package hello-tools packages jq \S+ amd64 /m);
  t.regex(inImage('dpkg-query', '-W', 'jq'), /^jq\t/m);
});

test.serial('a build that fails before the lock is one line at the declaration, and the lock is as it was', async (t) => {
  const before = lock();
  rig.write({
    [`${SOURCE}/debian/control`]: CONTROL.replace('Depends: ${shlibs:Depends}', 'Depends: jq, less, ${shlibs:Depends}'),
    [`${SOURCE}/hello.c`]: HELLO.replace('return 0;', 'return 0'),
  });
  const r = await build();
  t.is(r.code, 2, r.stderr);
  const line = r.stderr.trim().split('\n').at(-1)!;
  t.regex(line, /features\/hello\/feature\.ts:5:\d+: package\/mkimage-hello: .* \(last lines: .*\) \(hint: /);
  t.is(lock(), before);
  rig.write({ [`${SOURCE}/hello.c`]: HELLO, [`${SOURCE}/debian/control`]: CONTROL });
});

test.serial('a declaration that does not match its folder is refused at its line', async (t) => {
  rig.write({ 'features/hello/feature.ts': FEATURE.replace("localSource('mkimage-hello'", "localSource('mkimage-hallo'") });
  const r = await build();
  t.is(r.code, 2);
  t.regex(r.stderr, /features\/hello\/feature\.ts:5:\d+: package mkimage-hallo: hello\/mkimage-hello\/debian\/control names source "mkimage-hello", not mkimage-hallo \(hint: localSource\('mkimage-hello', \.\.\.\)/);
  rig.write({ 'features/hello/feature.ts': FEATURE });
});

test.serial("a local source that builds a package the archive has is refused at its declaration: an image could get the archive's", async (t) => {
  const before = lock();
  // Two binaries: dh installs into debian/tmp, and the .install file says what is ours.
  rig.write({
    [`${SOURCE}/debian/control`]: `${CONTROL.trimEnd()}\n\nPackage: hello\nArchitecture: all\nDescription: a name the archive has\n A second binary named like Debian's hello.\n`,
    [`${SOURCE}/debian/mkimage-hello.install`]: 'usr/bin/mkimage-hello\n',
  });
  const r = await build();
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr.trim().split('\n').at(-1)!, /features\/hello\/feature\.ts:5:\d+: .*the local source mkimage-hello builds hello, a package bookworm has too: .* \(hint: give the package another name in its debian\/control, or rebuild the archive's with debianSource\('hello', \.\.\.\)\)/);
  t.is(lock(), before);
  rig.write({ [`${SOURCE}/debian/control`]: CONTROL });
  rmSync(rig.path(`${SOURCE}/debian/mkimage-hello.install`));
});
