import test from 'ava';
import { ProjectRig } from '../helpers/project-rig.ts';

const TARGETFILE = `import { target } from 'mkimage';

export const world = target({ name: 'world', values: { greeting: 'hi' }, sh: 'printf %s "$VALUES" > $OUT/world.json' });

export const hello = target({ name: 'hello', deps: ['world'], files: ['hello.txt'], sh: 'test "$(cat hello.txt)" != fail && cat hello.txt > $OUT/hello' });
`;

test('why: what made each target run the last time, kept from the build, without --explain beforehand', async (t) => {
  const r = new ProjectRig({ 'Targetfile.ts': TARGETFILE, 'hello.txt': 'hello\n' });
  t.teardown(() => r.dispose());
  const none = await r.run(['why', 'hello']);
  t.is(none.code, 0, none.stderr);
  t.regex(none.stdout, /^hello: no build recorded in this store yet$/m);

  t.is((await r.run(['hello'])).code, 0);
  r.write({ 'hello.txt': 'hello again\n' });
  t.is((await r.run(['hello'])).code, 0);
  const why = await r.run(['why', 'hello']);
  t.is(why.code, 0, why.stderr);
  const lines = why.stdout.split('\n');
  t.regex(lines[0]!, /^hello: the last build that ran anything started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.regex(lines[1]!, /^ {2}world {2}- {8}last ran \S+ \S+, \S+: no previous build$/);
  t.regex(lines[2]!, /^ {2}hello {2}ran {6}\S+: file hello\.txt changed/);

  // A failed run is kept too, with its reason; the next no-op build does not erase it.
  r.write({ 'hello.txt': 'fail' });
  t.is((await r.run(['hello'])).code, 1);
  const failed = await r.run(['why', 'hello', '--json']);
  const doc = JSON.parse(failed.stdout) as { targets: Array<{ target: string; run?: { outcome: string; reasons: string[] } }> };
  t.deepEqual(doc.targets.map((x) => [x.target, x.run?.outcome]), [['world', 'succeeded'], ['hello', 'failed']]);
  t.regex(doc.targets[1]!.run!.reasons[0]!, /file hello\.txt changed/);

  const unknown = await r.run(['why', 'helo']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /helo.*did you mean hello/);
});
