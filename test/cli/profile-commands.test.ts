import test from 'ava';
import { fixtureRig } from '../helpers/profile-fixture.ts';

test('list, features, show --json and graph --format svg on a profile project', async (t) => {
  const r = fixtureRig('basic');
  t.teardown(() => r.dispose());
  const list = await r.run(['list']);
  t.is(list.code, 0, list.stderr);
  t.deepEqual(list.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['app.iso', 'app.tar', 'tiny.tar']);
  t.regex(list.stdout, /^app\.iso +the application server; hybrid BIOS\+UEFI live ISO$/m);

  const features = await r.run(['features']);
  t.regex(features.stdout, /^web: a web server\n {2}use\/web {2}nginx\n {2}use\/web\/tls {2}with certificates$/m);

  const show = await r.run(['show', 'app', '--json']);
  const profile = JSON.parse(show.stdout) as { chain: string[]; variables: Record<string, { value: unknown; history: Array<{ by: string }> }> };
  t.deepEqual(profile.chain.at(-1), 'app');
  t.deepEqual(profile.variables.COLOR!.history.map((h) => h.by), ['use/core', 'use/web', 'use/db']);

  const text = await r.run(['show', 'app']);
  t.regex(text.stdout, /^ {4}set +"blue" +by use\/web +features\/web\/feature\.ts:8:7 +\(overrides "grey" from use\/core\)$/m);
  t.regex(text.stdout, /^overlays, in the order they are copied \(1\):\n {2}web {2}\S*features\/web\/rootfs\/ {2}\d+ files?\n {4}\/\S+/m);
  t.regex(text.stdout, /^hooks, in the order they run \(1\):\n {2}db\/10-db {2}\S*features\/db\/hooks\/10-db$/m);

  const svg = await r.run(['graph', 'app.iso', '--format', 'svg', '--vars', '--stages']);
  t.is(svg.code, 0, svg.stderr);
  t.regex(svg.stdout, /^<\?xml|<svg/);
  t.regex(svg.stdout, /use\/web/);
  t.regex(svg.stdout, /boot(-|&#45;)files/);
});

test('list marks a distro whose needs do not resolve, with the diagnostic show gives, and exits 1', async (t) => {
  const r = fixtureRig('basic', {
    'conf.d/main.ts': `import { distro } from 'mkimage';

export const common = distro('.common', { description: 'shared', needs: ['use/core'] });

export const app = distro('app', {
  description: 'the application server',
  needs: [common,
    'use/wbe'],
});

export const tiny = distro('tiny', { description: 'only the core', needs: [common], images: ['tar'] });
`,
  });
  t.teardown(() => r.dispose());
  const list = await r.run(['list']);
  t.is(list.code, 1, list.stderr);
  const show = await r.run(['show', 'app']);
  const diagnostic = show.stderr.trim().replace(/^mkimage: /, '').replaceAll(`${r.dir}/`, '');
  t.is(diagnostic, 'conf.d/main.ts:8: app needs mixin use/wbe, which is not declared (hint: did you mean use/web?)');
  t.deepEqual(list.stdout.trim().split('\n'), [`app       BROKEN: ${diagnostic}`, 'tiny.tar  only the core; the image root as a tarball (containers, VE)']);
});
