import test from 'ava';
import { existsSync, statSync } from 'node:fs';
import { fixtureRig } from '../helpers/profile-fixture.ts';

test('new feature scaffolds a feature that loads, with an executable hook that reads its setting; it never overwrites', async (t) => {
  const r = fixtureRig('basic');
  t.teardown(() => r.dispose());
  const made = await r.run(['new', 'feature', 'web-page']);
  t.is(made.code, 0, made.stderr);
  t.true(statSync(r.path('features/web-page/hooks/50-web-page')).mode & 0o100 ? true : false);
  const features = await r.run(['features']);
  t.regex(features.stdout, /^ {2}use\/web-page {2}the web-page files, its package list and its hook$/m);
  r.write({ 'conf.d/more.ts': "import { distro } from 'mkimage';\nexport const page = distro('page', { needs: ['use/core', 'use/web-page'] });\n" });
  const show = await r.run(['show', 'page']);
  t.is(show.code, 0, show.stderr);
  t.regex(show.stdout, /^ {2}web-page\/50-web-page {2}features\/web-page\/hooks\/50-web-page {2}\(reads WEB_PAGE_GREETING\)$/m);
  t.regex(show.stdout, /^WEB_PAGE_GREETING = "hello from web-page" {2}\(default\)$/m);

  const again = await r.run(['new', 'feature', 'web-page']);
  t.is(again.code, 1);
  t.is(again.stderr, 'mkimage: features/web-page exists already\n');
  const bad = await r.run(['new', 'feature', 'Web_Page']);
  t.is(bad.code, 2);
  t.false(existsSync(r.path('features/Web_Page')));
});
