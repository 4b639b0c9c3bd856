// The distros this repository ships all resolve, without warnings, to a valid image config
// and a plan of stages.

import test from 'ava';
import { fileURLToPath } from 'node:url';
import { buildableTargets } from '../../src/profile/image-targets.ts';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { imageConfig } from '../../src/image/from-profile.ts';
import { stagesFor, type ImageType } from '../../src/image/pipeline.ts';
import { imageTargets, stageId } from '../../src/image/plan.ts';
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

test('every shipped distro resolves without warnings, to a valid image config and the stages of its type', async (t) => {
  const lib = await library;
  for (const target of buildableTargets(lib)) {
    const p = resolveDistro(lib, target.distro.name);
    if (!p.ok) return t.fail(`${target.name}: ${p.error.message}`);
    t.deepEqual(p.value.warnings, [], target.name);
    // Every bootable image has a kernel; a root for containers has none.
    const bootable = target.distro.name !== 'server-container';
    t.is(p.value.basePackages.includes('linux-image-amd64'), bootable, target.name);
    t.is(p.value.basePackages.includes('live-boot'), bootable, target.name);
    const config = imageConfig(p.value, lib, { sourceDateEpoch: 1700000000 });
    if (!config.ok) return t.fail(`${target.name}: ${config.error.message}`);
    // The volume id nobody sets: the distro's name in capitals.
    t.is(config.value.volumeId, target.distro.name.toUpperCase().replaceAll('-', '_'), target.name);
    const type = target.type as ImageType;
    const stages = stagesFor(type).filter((s) => s !== 'packages' || config.value.packages.length > 0);
    const plan = imageTargets({ config: config.value, type, root: ROOT, commit: 'test' });
    t.deepEqual(plan.map((s) => s.id), stages.map((s) => stageId(config.value, type, s)), target.name);
    t.is(plan.at(-1)?.id as string | undefined, target.name);
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

test('a distro runs the hooks of the mixins it uses: the servers drop documentation, the rescue system keeps it', async (t) => {
  const lib = await library;
  const hooksOf = (d: string) => {
    const p = resolveDistro(lib, d);
    if (!p.ok) throw new Error(p.error.message);
    const c = imageConfig(p.value, lib, { sourceDateEpoch: 1700000000 });
    if (!c.ok) throw new Error(c.error.message);
    return c.value.hooks.map((h) => `${h.feature}/${h.path.split('/').at(-1)}`);
  };
  t.deepEqual(hooksOf('server-mini'), ['net/10-enable-networkd', 'locale/10-locale', 'ssh/20-ssh', 'users/30-root-keys', 'cleanup/90-docs']);
  t.deepEqual(hooksOf('ldap-server'), ['net/10-enable-networkd', 'locale/10-locale', 'ssh/20-ssh', 'users/30-root-keys', 'ldap/50-slapd', 'cleanup/90-docs']);
  t.false(hooksOf('rescue').includes('cleanup/90-docs'));
});
