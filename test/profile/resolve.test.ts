import test from 'ava';
import { join } from 'node:path';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { FIXTURES, loadFixture } from '../helpers/profile-fixture.ts';

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
  const tiny = resolveDistro(await library, 'tiny');
  if (!tiny.ok) return t.fail();
  t.truthy(tiny.value.variables.COLOR);
  t.is(tiny.value.variables.COLOR!.value, 'grey');
});
