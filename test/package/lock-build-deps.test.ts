// What a source's locked build dependencies were resolved for: a change to any of it (the
// Build-Depends as our patches leave them, the profiles, the chroot's set, the builds it is
// built against) makes the set stale; the order the chroot or the builds are listed in does not.

import test from 'ava';
import type { LockedPackage } from '../../src/archive/lock-file.ts';
import { buildDepsInputs } from '../../src/package/lock-build-deps.ts';

const MIRROR = 'http://deb.debian.org/debian';
const pkg = (name: string, version: string): LockedPackage => ({ stage: 'bootstrap', name, version, architecture: 'amd64', size: 1, sha256: '0'.repeat(64), mirror: MIRROR, filename: `pool/${name}.deb` });
const chroot = (...packages: LockedPackage[]) => ({ packages, sources: [], components: ['main'] });
const C = { suite: 'bookworm', architecture: 'amd64' as const, profiles: [] as string[], after: ['jansson'], chroot: chroot(pkg('gcc-12', '12.2.0-14'), pkg('make', '4.3-4.1')) };
const RELATIONS = 'debhelper-compat (= 13), libjansson-dev (>= 2.14)';

test('the same inputs give the same digest; the chroot and the builds in any order', (t) => {
  const digest = buildDepsInputs(C, RELATIONS);
  t.regex(digest, /^[0-9a-f]{16}$/);
  t.is(buildDepsInputs({ ...C, chroot: chroot(pkg('make', '4.3-4.1'), pkg('gcc-12', '12.2.0-14')) }, RELATIONS), digest);
  t.is(buildDepsInputs({ ...C, after: ['jansson'] }, RELATIONS), digest);
});

test('each input moves the digest', (t) => {
  const digest = buildDepsInputs(C, RELATIONS);
  const moved = [
    buildDepsInputs(C, `${RELATIONS}, pkgconf`),
    buildDepsInputs({ ...C, profiles: ['nocheck'] }, RELATIONS),
    buildDepsInputs({ ...C, chroot: chroot(pkg('gcc-12', '12.2.0-15'), pkg('make', '4.3-4.1')) }, RELATIONS),
    buildDepsInputs({ ...C, after: [] }, RELATIONS),
    buildDepsInputs({ ...C, suite: 'trixie' }, RELATIONS),
  ];
  for (const [i, d] of moved.entries()) t.not(d, digest, `input ${i}`);
  t.is(new Set(moved).size, moved.length);
});
