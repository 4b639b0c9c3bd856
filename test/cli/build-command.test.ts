import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ProjectRig } from '../helpers/project-rig.ts';

const TARGETFILE = (greeting: string) => `import { target } from 'mkimage';

export const world = target({
  name: 'world',
  description: 'the world',
  values: { greeting: ${JSON.stringify(greeting)} },
  sh: 'printf %s "$VALUES" > $OUT/world.json',
});

export const hello = target({
  name: 'hello',
  deps: [
    'world',
  ],
  files: ['hello.txt'],
  sh: 'cat hello.txt $DEPS/world/world.json > $OUT/hello',
});

export const other = target({ name: 'other', run: async (ctx) => {} });
`;

function rig(t: { teardown(fn: () => void): void }, files: Record<string, string> = {}) {
  const r = new ProjectRig({ 'Targetfile.ts': TARGETFILE('hi'), 'hello.txt': 'hello\n', ...files });
  t.teardown(() => r.dispose());
  return r;
}

test('builds the goals, then a second run is all cached; outputs land in out/', async (t) => {
  const r = rig(t);
  const first = await r.run(['--json', 'hello']);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(first.of('succeeded'), ['hello', 'world']);
  t.is(readFileSync(r.path('out/hello/hello'), 'utf8'), 'hello\n{"greeting":"hi"}');
  const second = await r.run(['--json', 'hello']);
  t.is(second.code, 0);
  t.deepEqual(second.of('started'), []);
  t.deepEqual(second.of('cached'), ['hello', 'world']);
});

test('--json names every output written, a cached one too, before build-finished; cache ls names what each entry was stored for', async (t) => {
  const r = rig(t);
  for (const copied of [true, false]) {
    const run = await r.run(['--json', 'hello']);
    t.is(run.code, 0, run.stderr);
    const written = run.events.filter((e) => (e.type as string) === 'written') as unknown as Array<{ target: string; paths: string[]; copied: boolean }>;
    t.deepEqual(written.map((w) => [w.target, w.paths, w.copied]), [['hello', [r.path('out/hello')], copied]]);
    t.is(run.events.at(-1)?.type, 'build-finished');
  }
  const ls = await r.run(['cache', 'ls', '--json']);
  const rows = ls.stdout.trim().split('\n').map((l) => JSON.parse(l) as { targets: string[] });
  t.deepEqual(rows.map((row) => row.targets).sort(), [['hello'], ['world']]);
  t.regex((await r.run(['cache', 'ls'])).stdout, / {2}hello\n/);
});

test("a partial copy left in out/ by a run killed outright goes with the next run; a live run's stays", async (t) => {
  const r = rig(t);
  mkdirSync(r.path('out/.mkimage-new-999999999/hello'), { recursive: true });
  mkdirSync(r.path(`out/.mkimage-new-${process.pid}`), { recursive: true });
  t.is((await r.run(['hello'])).code, 0);
  t.false(existsSync(r.path('out/.mkimage-new-999999999')));
  t.true(existsSync(r.path(`out/.mkimage-new-${process.pid}`)));
});

test('with no goal, builds every target that nothing needs', async (t) => {
  const r = rig(t);
  const run = await r.run(['--json']);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(run.of('succeeded'), ['hello', 'other', 'world']);
  t.true(existsSync(r.path('out/other')));
});

test('--dry-run names what would run and why, and runs nothing', async (t) => {
  // Every recipe leaves a line in ran.log (in the project, outside any output): a dry run must add none.
  const logged = (greeting: string) =>
    TARGETFILE(greeting)
      .replace(`sh: 'printf %s "$VALUES" > $OUT/world.json'`, `sh: 'echo world >> ran.log; printf %s "$VALUES" > $OUT/world.json'`)
      .replace(`sh: 'cat hello.txt`, `sh: 'echo hello >> ran.log; cat hello.txt`);
  const r = rig(t, { 'Targetfile.ts': logged('hi') });
  const ran = () => readFileSync(r.path('ran.log'), 'utf8');
  await r.run(['hello']);
  t.is(ran(), 'world\nhello\n', 'the real build ran both');
  r.write({ 'Targetfile.ts': logged('hello') });
  const dry = await r.run(['-n', 'hello']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /^would run {2}world: value greeting: "hi" -> "hello"$/m);
  t.regex(dry.stdout, /^would run {2}hello: if the output of world changes$/m);
  t.is(ran(), 'world\nhello\n', 'the dry run ran no recipe');
  const still = await r.run(['-n', 'hello']);
  t.regex(still.stdout, /would run {2}world/, 'the dry run stored nothing');
});

test('a dry run of an unchanged project says cached', async (t) => {
  const r = rig(t);
  await r.run(['hello']);
  const dry = await r.run(['-n', 'hello']);
  t.regex(dry.stdout, /^cached {5}world$/m);
  t.regex(dry.stdout, /^cached {5}hello$/m);
});

test('--explain prints the field of the fingerprint that changed', async (t) => {
  const r = rig(t);
  await r.run(['hello']);
  r.write({ 'hello.txt': 'bonjour\n' });
  const run = await r.run(['--explain', 'hello']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /explain +hello: file hello\.txt changed/);
  t.notRegex(run.stdout, /explain +world/);
  t.regex(run.stdout, /cached +world/);
});

test('-B runs everything again', async (t) => {
  const r = rig(t);
  await r.run(['hello']);
  const run = await r.run(['--json', '-B', 'hello']);
  t.deepEqual(run.of('succeeded'), ['hello', 'world']);
});

test('a failing recipe: exit 1, its last lines, the log path; the rest is skipped', async (t) => {
  const r = rig(t, {
    'Targetfile.ts': `import { target } from 'mkimage';
export const bad = target({ name: 'bad', sh: 'echo preparing; echo broken >&2; exit 3' });
export const after = target({ name: 'after', deps: ['bad'], sh: 'true' });
`,
  });
  const run = await r.run(['after']);
  t.is(run.code, 1);
  t.regex(run.stdout, /FAILED +bad: \/bin\/sh exited with 3/);
  t.regex(run.stdout, /bad\| broken/);
  const log = /full log: (\S+)/.exec(run.stdout)?.[1];
  t.truthy(log);
  t.regex(readFileSync(log!, 'utf8'), /preparing\nbroken/);
  t.regex(run.stdout, /skipped +after \(bad failed\)/);
});

test('a cycle is an error with the whole cycle and the line of each edge', async (t) => {
  const r = rig(t, {
    'Targetfile.ts': `import { target } from 'mkimage';
export const a = target({ name: 'a', deps: ['b'], sh: 'true' });
export const b = target({
  name: 'b',
  deps: ['c'],
  sh: 'true',
});
export const c = target({ name: 'c', deps: ['a'], sh: 'true' });
`,
  });
  const run = await r.run([]);
  t.is(run.code, 2);
  const line = run.stderr.trim();
  t.is(line.split('\n').length, 1);
  t.regex(line, /dependency cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/);
  t.regex(line, /a -> b \(\S+Targetfile\.ts:2\)/);
  t.regex(line, /b -> c \(\S+Targetfile\.ts:5\)/);
  t.regex(line, /c -> a \(\S+Targetfile\.ts:8\)/);
});

test('a syntax error in the Targetfile names its file and line', async (t) => {
  const r = rig(t, { 'Targetfile.ts': `import { target } from 'mkimage';\n\nexport const a = target({ name: 'a', sh: 'true' ;\n` });
  const run = await r.run([]);
  t.is(run.code, 2);
  t.regex(run.stderr, /^mkimage: \S+Targetfile\.ts:3:\d+: syntax error: /);
});

test('an unknown goal or prerequisite gets a did-you-mean', async (t) => {
  const r = rig(t);
  const run = await r.run(['helo']);
  t.is(run.code, 2);
  t.is(run.stderr.trim(), 'mkimage: no target named helo (hint: did you mean hello?)');
  r.write({ 'Targetfile.ts': `import { target } from 'mkimage';\nexport const a = target({ name: 'a', deps: ['wrold'], sh: 'true' });\nexport const world = target({ name: 'world', sh: 'true' });\n` });
  const dep = await r.run([]);
  t.regex(dep.stderr, /Targetfile\.ts:2: target a needs wrold, which is not declared \(hint: did you mean world\?\)/);
});

test('a missing tool fails its target with a hint', async (t) => {
  const r = rig(t, {
    'Targetfile.ts': `import { target } from 'mkimage';\nexport const a = target({ name: 'a', tools: { nope: 'no-such-tool-xyz --version' }, sh: 'true' });\n`,
  });
  const run = await r.run([]);
  t.is(run.code, 1);
  t.regex(run.stdout, /FAILED +a: nope: cannot run no-such-tool-xyz --version.*\(hint: is the tool installed\?\)/);
});

test('a tool version is part of the fingerprint', async (t) => {
  // A tool whose answer the test changes: a real tool never changes during a test.
  const r = rig(t);
  const tool = r.path('bin/faketool');
  const writeTool = (version: string) => {
    r.write({ 'bin/faketool': `#!/bin/sh\necho '${version}'\n` });
    chmodSync(tool, 0o755);
  };
  writeTool('faketool 1.0');
  r.write({ 'Targetfile.ts': `import { target } from 'mkimage';\nexport const a = target({ name: 'a', tools: { fake: '${tool} --version' }, sh: 'true' });\n` });
  t.is((await r.run([])).code, 0);
  t.like(JSON.parse((await r.run(['-n', '--json'])).stdout.trim()), { action: 'cached' }, 'same tool, same fingerprint');
  writeTool('faketool 2.0');
  t.like(JSON.parse((await r.run(['-n', '--json'])).stdout.trim()), { action: 'would-run', reasons: ['tool fake: faketool 1.0 -> faketool 2.0'] });
});
