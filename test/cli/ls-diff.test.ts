import test from 'ava';
import { ProjectRig } from '../helpers/project-rig.ts';

const TARGETFILE = `import { target } from 'mkimage';

export const site = target({ name: 'site', files: ['page.html'], sh: 'mkdir -p $OUT/var/www && cp page.html $OUT/var/www/index.html && ln -s www $OUT/var/html && chmod 0640 $OUT/var/www/index.html' });
`;

test('ls lists a built target from the stored manifest; diff of two builds names the file that changed; bad operands are one line', async (t) => {
  const r = new ProjectRig({ 'Targetfile.ts': TARGETFILE, 'page.html': 'hello\n' });
  t.teardown(() => r.dispose());
  const before = await r.run(['site']);
  t.is(before.code, 0, before.stderr);
  const ls = await r.run(['ls', 'site', '/var']);
  t.is(ls.code, 0, ls.stderr);
  const lines = ls.stdout.trim().split('\n');
  t.regex(lines[0]!, /^drwx\S+ \S+ +- \/var$/);
  t.regex(lines[1]!, /^lrwxrwxrwx \S+ +- \/var\/html -> www$/);
  t.regex(lines[3]!, /^-rw-r----- \S+ +6 \/var\/www\/index\.html$/);
  t.regex(lines.at(-1)!, /^4 entries, 6B in files \([0-9a-f]{16}\)$/);

  // The only entry so far: the first build of site.
  const oldDigest = (JSON.parse((await r.run(['cache', 'ls', '--json'])).stdout.trim()) as { digest: string }).digest;
  r.write({ 'page.html': 'hello, world\n' });
  t.is((await r.run(['site'])).code, 0);
  const diff = await r.run(['diff', oldDigest.slice(0, 12), 'site']);
  t.is(diff.code, 1, diff.stderr);
  t.deepEqual(diff.stdout.trim().split('\n').slice(2), ['packages: 0 added, 0 removed, 0 changed', 'files: 0 added, 0 removed, 1 changed', '  ~ /var/www/index.html: content (6B -> 13B)']);
  t.is((await r.run(['diff', 'site', 'site'])).code, 0);

  const missing = await r.run(['ls', 'site', '/etc']);
  t.is(missing.code, 1);
  t.is(missing.stderr.trim(), 'mkimage: site has no /etc');
  const unknown = await r.run(['ls', 'stie']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^mkimage: .*stie.*did you mean site/);
  const nothing = await r.run(['diff', 'deadbeef00', 'site']);
  t.regex(nothing.stderr, /^mkimage: deadbeef00: no store entries start with it \(hint: mkimage cache ls lists them\)\n$/);
});
