import test from 'ava';
import { join } from 'node:path';
import { packageOrigins } from '../../src/profile/package-origins.ts';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { FIXTURES, loadFixture } from '../helpers/profile-fixture.ts';

const dir = join(FIXTURES, 'basic');

test('each installed package points at the mixin line or the list line that asked for it', async (t) => {
  const library = await loadFixture(dir);
  const app = resolveDistro(library, 'app');
  if (!app.ok) throw new Error(app.error.message);
  const origins = Object.fromEntries(Object.entries(packageOrigins(app.value, library)).map(([p, o]) => [p, o.replace(`${dir}/`, '')]));
  t.deepEqual(Object.keys(origins), [...app.value.basePackages, ...app.value.packages].sort(), 'every package, and shared-pkg (removed by app) not');
  t.regex(origins.nginx!, /^features\/web\/feature\.ts:7:7 \(use\/web\)$/);
  t.regex(origins['core-pkg']!, /^features\/core\/feature\.ts:\d+(:\d+)? \(use\/core\)$/);
  t.is(origins.tcpdump, 'features/tools/lists/net-tools:2 (list net-tools)');
  t.regex(origins.postgresql!, /^features\/db\/feature\.ts:4:\d+ \(use\/db\)$/);
});
