import test from 'ava';
import { join } from 'node:path';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { FIXTURES, fixtureRig, loadFixture } from '../helpers/profile-fixture.ts';

const library = loadFixture(join(FIXTURES, 'basic'));

async function app() {
  const r = resolveDistro(await library, 'app');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

test('needs apply depth-first, left to right, each node once, the distro last', async (t) => {
  const p = await app();
  t.deepEqual(p.chain, ['use/core', '.common', 'use/web', 'use/db', '+stack', 'use/tools', 'app']);
  t.deepEqual(p.features, ['core', 'web', 'db', 'tools']);
});

test('add appends, remove takes back, in order', async (t) => {
  const p = await app();
  t.deepEqual(p.variables.PACKAGES!.value, ['core-pkg', 'nginx', 'postgresql']);
  t.deepEqual(p.variables.PACKAGES!.history.map((h) => [h.op, h.by]), [['add', 'use/core'], ['add', 'use/web'], ['add', 'use/db'], ['remove', 'app']]);
});

test('try sets only an unset variable; set overrides and records what it overrode', async (t) => {
  const color = (await app()).variables.COLOR!;
  t.is(color.value, 'blue');
  t.like(color.history[0], { op: 'try', by: 'use/core', result: 'grey' });
  t.like(color.history[1], { op: 'set', by: 'use/web', result: 'blue', overrode: { value: 'grey', by: 'use/core' } });
  t.like(color.history[2], { op: 'try', by: 'use/db', ignored: true, result: 'blue' });
});

test('every operation keeps the file and line it was written at', async (t) => {
  const color = (await app()).variables.COLOR!;
  t.regex(color.history[1]!.at!.file, /features\/web\/feature\.ts$/);
  t.is(color.history[1]!.at!.line, 8);
  const size = (await app()).variables.SIZE!;
  t.regex(size.history[0]!.at!.file, /conf\.d\/main\.ts$/);
  t.is(size.history[0]!.at!.line, 10);
});

test('defaults are marked as such; the result is frozen', async (t) => {
  const p = await app();
  t.false(p.variables.HOSTNAME!.explicit);
  t.is(p.variables.HOSTNAME!.value, 'debian');
  t.true(Object.isFrozen(p) && Object.isFrozen(p.variables.PACKAGES!.history));
});

test('tag expressions select package lists; their packages join the distro\'s', async (t) => {
  const p = await app();
  t.deepEqual(p.lists, ['net-tools', 'small-tools']);
  t.deepEqual(p.packages, ['core-pkg', 'htop', 'nginx', 'postgresql', 'tcpdump']);
});

test('a feature\'s settings appear only for the distros that use it', async (t) => {
  // web (used by app, not by tiny) declares a setting of its own; core, used by both, declares COLOR.
  const rig = fixtureRig('basic', {
    'features/web/feature.ts': `import { add, feature, mixin, set, setting } from 'mkimage';

export default feature({
  description: 'a web server',
  settings: [setting({ name: 'WEB_PORT', type: 'string', default: '80', help: 'the port' })],
  mixins: [
    mixin('use/web', { description: 'nginx', needs: ['use/core'] }, add('PACKAGES', 'nginx'), set('COLOR', 'blue')),
    mixin('use/web/tls', { description: 'with certificates', needs: ['use/web'] }, add('PACKAGES', 'ssl-cert')),
  ],
});
`,
  });
  t.teardown(() => rig.dispose());
  const lib = await loadFixture(rig.dir);
  const withWeb = resolveDistro(lib, 'app');
  const tiny = resolveDistro(lib, 'tiny');
  if (!withWeb.ok || !tiny.ok) return t.fail();
  t.is(withWeb.value.variables.WEB_PORT?.value, '80', 'app uses web');
  t.is(tiny.value.variables.WEB_PORT, undefined, 'tiny does not');
  t.is(tiny.value.variables.COLOR?.value, 'grey', 'core, which tiny uses, still gives its settings');
});

test('a derived default comes from the distro name, says so, and gives way to a set', async (t) => {
  const lib = await library;
  const r = resolveDistro(lib, 'app');
  if (!r.ok) return t.fail(r.error.message);
  const v = r.value.variables.VOLUME_ID!;
  t.is(v.value, 'APP');
  t.false(v.explicit);
  t.like(v.history[0], { op: 'derived', given: ['from the distro name'], by: 'app' });
  const rig = fixtureRig('basic', { 'conf.d/volume.ts': "import { distro, set } from 'mkimage';\nexport const named = distro('named-one', { needs: ['.common'] }, set('VOLUME_ID', 'MINE'));\n" });
  t.teardown(() => rig.dispose());
  const named = resolveDistro(await loadFixture(rig.dir), 'named-one');
  if (!named.ok) return t.fail(named.error.message);
  t.is(named.value.variables.VOLUME_ID!.value, 'MINE');
  t.false(named.value.variables.VOLUME_ID!.history.some((h) => h.op === 'derived'));
});

test("a mixin's hooks join HOOKS as feature/file, where the mixin was declared; a distro without it runs none", async (t) => {
  const lib = await library;
  const r = await app();
  const hooks = r.variables.HOOKS!;
  t.deepEqual(hooks.value, ['db/10-db']);
  t.like(hooks.history[0], { op: 'add', given: ['"db/10-db"'], by: 'use/db' });
  t.regex(hooks.history[0]!.at?.file ?? '', /features\/db\/feature\.ts$/);
  const tiny = resolveDistro(lib, 'tiny');
  if (!tiny.ok) return t.fail(tiny.error.message);
  t.deepEqual(tiny.value.variables.HOOKS!.value, []);
});
