// Every kind of bad profile input: one line on stderr with file:line and a hint, exit != 0.

import test from 'ava';
import { fixtureRig } from '../helpers/profile-fixture.ts';
import type { ProjectRig } from '../helpers/project-rig.ts';

function rig(t: { teardown(fn: () => void): void }, changes: Record<string, string | null>): ProjectRig {
  const r = fixtureRig('basic', changes);
  t.teardown(() => r.dispose());
  return r;
}

/** The one error line, with the temp dir taken out of paths. */
async function error(r: ProjectRig, args: string[]): Promise<{ code: number | null; line: string }> {
  const run = await r.run(args);
  const lines = run.stderr.trim().split('\n');
  return { code: run.code, line: lines.filter((l) => !l.includes('warning:')).join('\n').replaceAll(`${r.dir}/`, '') };
}

const MAIN = (needs: string, extra = '') => `import { distro, set } from 'mkimage';

export const common = distro('.common', { description: 'shared', needs: ['use/core'] });

export const app = distro('app', {
  description: 'the application server',
  needs: [${needs}],
}${extra});
`;

test('an unknown mixin: file:line of the name and a did-you-mean', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN(`common,\n    'use/wbe',`) });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: conf.d/main.ts:8: app needs mixin use/wbe, which is not declared (hint: did you mean use/web?)');
});

test('an unknown distro to build gets a did-you-mean', async (t) => {
  const r = rig(t, {});
  t.is((await error(r, ['show', 'ap'])).line, 'mkimage: no distro named ap (hint: did you mean app?)');
  t.is((await error(r, ['graph', 'ap.iso'])).line, 'mkimage: no distro named ap (hint: did you mean app.iso?)');
});

test('a cycle among mixins is printed whole, with the line of each edge', async (t) => {
  const r = rig(t, {
    'features/web/feature.ts': `import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'a web server',
  mixins: [
    mixin('use/web', { needs: ['use/web/tls'] }, add('PACKAGES', 'nginx')),
    mixin('use/web/tls', {
      needs: ['use/web'],
    }),
  ],
});
`,
  });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.regex(e.line, /^mkimage: features\/web\/feature\.ts:\d+: cycle among mixins: use\/web -> use\/web\/tls -> use\/web; edges: use\/web -> use\/web\/tls \(\S*features\/web\/feature\.ts:6\), use\/web\/tls -> use\/web \(\S*features\/web\/feature\.ts:8\) \(hint: /);
});

test('building an intermediate distro is refused, naming distros that need it', async (t) => {
  const e = await error(rig(t, {}), ['.common.iso']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: conf.d/main.ts:3:23: .common is an intermediate distro (its name starts with a dot) and cannot be built (hint: build a distro that needs it: app, tiny)');
});

test('an unknown image type names the types the distro has', async (t) => {
  const r = rig(t, {});
  const e = await error(r, ['app.isoo']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: conf.d/main.ts:5:20: unknown image type .isoo for app (hint: did you mean app.iso?)');
  t.is((await error(r, ['tiny.iso'])).line, 'mkimage: conf.d/main.ts:12:21: unknown image type .iso for tiny (hint: tiny can be built as .tar)');
});

test('a distro named without an image type suggests the targets it can be built as', async (t) => {
  const r = rig(t, {});
  const e = await error(r, ['app']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: no target named app (hint: app is a distro: build app.iso or app.tar)');
  t.is((await error(r, ['tiny'])).line, 'mkimage: no target named tiny (hint: tiny is a distro: build tiny.tar)');
  t.regex((await error(r, ['.common'])).line, /\.common is an intermediate distro .* \(hint: build a distro that needs it: app, tiny\)$/);
});

test('set of an undeclared variable', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN('common', `,\n  set('COLOUR', 'red')`) });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: conf.d/main.ts:9:3: set of undeclared variable COLOUR in app (hint: did you mean COLOR?)');
});

test('a value of the wrong type names the allowed ones', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN('common', `,\n  set('SIZE', 'xl')`) });
  t.is((await error(r, ['show', 'app'])).line, 'mkimage: conf.d/main.ts:9:3: set SIZE in app: SIZE is one of s, m, l, got "xl"');
});

test('two siblings setting one variable: a warning naming both', async (t) => {
  const r = rig(t, {
    'features/db/feature.ts': `import { add, alias, feature, mixin, set } from 'mkimage';

const db = mixin('use/db', { description: 'a database', needs: ['use/core'], hooks: ['10-db'] },
  add('PACKAGES', 'postgresql'),
  set('COLOR', 'green'));

export default feature({ description: 'a database', mixins: [db, alias('+stack', ['use/web', db])] });
`,
  });
  const run = await r.run(['show', 'app']);
  t.is(run.code, 0, run.stderr);
  const warning = run.stderr.trim().replaceAll(`${r.dir}/`, '');
  t.is(
    warning,
    'mkimage: warning: features/db/feature.ts:5:3: COLOR: use/db sets "green", overriding "blue" set by use/web (features/web/feature.ts:8:7); neither needs the other, so the order of needs picks the winner (hint: make use/db need use/web, or set COLOR in the distro)',
  );
});

test('a TypeScript syntax error in a profile: file:line from the loader', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN('common').replace("needs: [common],", "needs: [common,,") });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.regex(e.line, /^mkimage: conf\.d\/main\.ts:8:\d+: syntax error: /);
});

test('a TypeScript type error in a profile: file:line from the compiler', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN('common').replace("description: 'the application server',", 'description: 42,') });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.regex(e.line, /^mkimage: conf\.d\/main\.ts:6:3: type error: Type 'number' is not assignable to type 'string'\. \(TS2322\)$/);
});

test('a feature folder without feature.ts', async (t) => {
  const r = rig(t, { 'features/empty/README.md': '# nothing\n' });
  const e = await error(r, ['list']);
  t.is(e.code, 2);
  t.is(e.line, `mkimage: features/empty:1: feature folder features/empty/ has no feature.ts (hint: every feature folder declares its use/empty mixins in feature.ts: export default feature({ ... }))`);
});

test('a tag expression that does not parse', async (t) => {
  const r = rig(t, {
    'features/tools/feature.ts': `import { add, feature, mixin, tags } from 'mkimage';

export default feature({
  description: 'tools chosen by tag',
  mixins: [mixin('use/tools', {}, add('LISTS', tags('tools && (heavy')))],
});
`,
  });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: features/tools/feature.ts:5:35: add LISTS in use/tools: tag expression "tools && (heavy" does not parse: expected ")" at the end (column 16)');
});

test('a mixin named outside its feature', async (t) => {
  const r = rig(t, {
    'features/tools/feature.ts': `import { feature, mixin } from 'mkimage';

export default feature({ description: 'x', mixins: [mixin('use/toolz')] });
`,
  });
  const e = await error(r, ['list']);
  t.is(e.line, 'mkimage: features/tools/feature.ts:3:53: mixin use/toolz is declared in feature tools (hint: mixins of features/tools are named use/tools or use/tools/...)');
});

const DB_FEATURE = (hooks: string) => `import { add, feature, mixin } from 'mkimage';

export default feature({
  description: 'a database',
  mixins: [mixin('use/db', { needs: ['use/core']${hooks} }, add('PACKAGES', 'postgresql'))],
});
`;

test('a hook that no mixin carries: the hook file and the mixin to name it in', async (t) => {
  const r = rig(t, { 'features/db/feature.ts': DB_FEATURE('') });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.is(e.line, "mkimage: features/db/hooks/10-db:1: hook 10-db of feature db is run by no mixin (hint: name it in the mixin that needs it: mixin('use/db', { hooks: ['10-db'] }))");
});

test('a mixin that runs a hook its feature does not have: a did-you-mean', async (t) => {
  const r = rig(t, { 'features/db/feature.ts': DB_FEATURE(", hooks: ['10-bd']") });
  const e = await error(r, ['show', 'app']);
  t.is(e.code, 2);
  t.is(e.line, 'mkimage: features/db/feature.ts:5:12: mixin use/db runs hook 10-bd, which features/db/hooks/ does not have (hint: did you mean 10-db?)');
});

test('HOOKS naming no hook of a feature stops the image build at the line that added it', async (t) => {
  const r = rig(t, { 'conf.d/main.ts': MAIN('common', ", add('HOOKS', 'db/99-nothing')").replace("import { distro, set }", 'import { add, distro, set }') });
  const e = await error(r, ['-n', 'app.iso']);
  t.is(e.code, 2);
  t.regex(e.line, /^mkimage: conf\.d\/main\.ts:8:\d+: HOOKS names db\/99-nothing, which is no hook of a feature \(hint: HOOKS entries are feature\/file, e\.g\. cleanup\/90-docs\)$/);
});
