// A package build as a goal is planned with a locked image that needs it (it installs the
// build's binaries, or a dependent's); what is missing for that is one line.

import test from 'ava';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockedBuilds, LockedSourcePackage } from '../../src/archive/lock-builds.ts';
import { formatLock, type Lock } from '../../src/archive/lock-file.ts';
import { isPackageGoal, packageGoalImages } from '../../src/cli/package-goals.ts';
import { ProjectLock } from '../../src/cli/project-lock.ts';
import { loadFixture } from '../helpers/profile-fixture.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/own-packages/', import.meta.url));
const MIRROR = 'http://deb.debian.org/debian';
const SHA = (s: string) => createHash('sha256').update(s).digest('hex');
const source = (name: string, version: string, binaries: string[]): LockedSourcePackage => ({
  name, version, suite: 'bookworm', size: 2000, sha256: SHA(name), mirror: MIRROR, dsc: `pool/main/${name[0]}/${name}/${name}_${version}.dsc`, binaries,
});
const installing = (...names: string[]): Lock => new Map([
  ['json-tools', { inputs: '0123456789abcdef', sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: names.map((name) => ({ stage: 'packages' as const, name, version: '1', architecture: 'amd64', size: 1, sha256: SHA(name), mirror: MIRROR, filename: `pool/main/${name}_1_amd64.deb` })) }],
]);
const BUILDS: LockedBuilds = new Map([['jansson', { inputs: '3f2a9c0d1e2f3a4b', sources: [source('jansson', '2.14-2', ['libjansson-dev', 'libjansson4']), source('jshon', '20131010-3', ['jshon'])] }]]);

/** The example project (jansson declared, jshon its dependent) with the given lock. */
async function project(t: { teardown(fn: () => void): void }, distros: Lock, builds: LockedBuilds) {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-package-goals-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, 'mkimage.lock'), formatLock(distros, builds));
  const lock = ProjectLock.read(dir);
  if (!lock.ok) throw new Error(lock.error.message);
  return { library: await loadFixture(dir), lock: lock.value };
}

test('a declared build and a dependent of it are planned with the image that installs them', async (t) => {
  const { library, lock } = await project(t, installing('jshon', 'libjansson4'), BUILDS);
  t.true(isPackageGoal(library, 'package/jshon'));
  t.false(isPackageGoal(library, 'package/jshon/build'));
  t.false(isPackageGoal(library, 'json-tools.tar'));
  for (const goal of ['package/jansson', 'package/jshon']) {
    const r = packageGoalImages(library, lock, [goal]);
    t.deepEqual(r.ok && r.value.map((i) => i.name), ['json-tools.tar'], goal);
  }
  // Built against, not installed: jansson is still needed for jshon.
  const r = packageGoalImages(library, (await project(t, installing('jshon'), BUILDS)).lock, ['package/jansson']);
  t.deepEqual(r.ok && r.value.map((i) => i.name), ['json-tools.tar']);
});

test('a build not locked yet, an unknown one and one no image needs: one line each', async (t) => {
  const unlocked = await project(t, installing('jshon'), new Map());
  const r1 = packageGoalImages(unlocked.library, unlocked.lock, ['package/jansson']);
  t.false(r1.ok);
  if (!r1.ok) {
    t.is(r1.error.message, 'package/jansson is not locked yet: a build is made for the images that take it');
    t.regex(r1.error.at?.file ?? '', /features\/jansson\/feature\.ts$/);
  }
  const r2 = packageGoalImages(unlocked.library, unlocked.lock, ['package/janson']);
  t.like(r2, { ok: false, error: { message: 'no package build janson: the project builds jansson', hint: 'did you mean package/jansson?' } });
  const nobody = await project(t, installing('apt'), BUILDS);
  t.like(packageGoalImages(nobody.library, nobody.lock, ['package/jshon']), { ok: false, error: { message: 'package/jshon: no locked image takes it' } });
});
