// The distros this repository ships all resolve, without warnings, to a plan of stages.

import test from 'ava';
import { fileURLToPath } from 'node:url';
import { buildableTargets } from '../../src/profile/image-targets.ts';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { stagesFor } from '../../src/image/stages.ts';
import { loadFixture } from '../helpers/profile-fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const library = loadFixture(ROOT);

test('the required distros and image types exist', async (t) => {
  const names = buildableTargets(await library).map((x) => x.name);
  for (const d of ['server-mini', 'ldap-server', 'db-server', 'lb-server', 'rescue']) {
    t.true(names.includes(`${d}.iso`), d);
    t.true(names.includes(`${d}.tar`), d);
  }
});

test('every shipped distro resolves without warnings and plans its stages', async (t) => {
  const lib = await library;
  for (const target of buildableTargets(lib)) {
    const p = resolveDistro(lib, target.distro.name);
    if (!p.ok) return t.fail(`${target.name}: ${p.error.message}`);
    t.deepEqual(p.value.warnings, [], target.name);
    t.true(p.value.basePackages.includes('linux-image-amd64'), target.name);
    t.true(stagesFor(target.type).length > 0);
  }
});

test('the servers share their intermediate and their bootstrap packages', async (t) => {
  const lib = await library;
  const base = (d: string) => {
    const p = resolveDistro(lib, d);
    if (!p.ok) throw new Error(p.error.message);
    return p.value;
  };
  for (const d of ['ldap-server', 'db-server', 'lb-server']) {
    t.true(base(d).chain.includes('.server-base'));
    t.deepEqual(base(d).basePackages, base('server-mini').basePackages, d);
  }
  t.deepEqual(base('ldap-server').packages, ['ldap-utils', 'slapd']);
  t.true(base('rescue').packages.includes('parted'));
  t.false(base('rescue').packages.includes('testdisk'), 'rescue-extra is not selected by the tags');
});

test('every feature folder has a README and every feature is used by a distro', async (t) => {
  const lib = await library;
  const used = new Set<string>();
  for (const target of buildableTargets(lib)) {
    const p = resolveDistro(lib, target.distro.name);
    if (p.ok) p.value.features.forEach((f) => used.add(f));
  }
  for (const f of lib.features.values()) {
    t.truthy(f.readme, `${f.name} has a README.md`);
    t.true(used.has(f.name), `${f.name} is used`);
  }
});
