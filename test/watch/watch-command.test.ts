// Watch mode end to end, in-process: a temp copy of a fixture of plain targets, real chokidar,
// edits made with real writes; each test waits for the watcher's statuses and events.

import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { exited, ProjectRig } from '../helpers/project-rig.ts';
import { watchRig } from './helpers/watch-rig.ts';

test('an edit to an input reruns exactly the targets that read it', async (t) => {
  const w = watchRig(t);
  w.start(['ab', 'greet']);
  await w.nth('watching', 1);
  t.deepEqual(w.targets(0, 'started'), ['a', 'ab', 'b', 'greet']);

  w.write('a.txt', 'a2\n');
  await w.nth('watching', 2);
  t.deepEqual(w.of('changed')[0]!.paths, ['a.txt']);
  t.deepEqual(w.targets(1, 'started'), ['a', 'ab']);
  t.deepEqual(w.targets(1, 'cached'), ['b', 'greet']);
  t.is(w.read('out/ab/ab'), 'a2\nb1\n');
});

test('a new file matching a glob input is an edit; one that does not match is not', async (t) => {
  const w = watchRig(t);
  w.start(['ab']);
  await w.nth('watching', 1);
  w.write('b/notes.md', 'not a .txt\n');
  w.write('b/two.txt', 'b2\n');
  await w.nth('watching', 2);
  t.deepEqual(w.of('changed').map((s) => s.paths), [['b/two.txt']]);
  t.deepEqual(w.targets(1, 'started'), ['ab', 'b']);
  t.is(w.read('out/ab/ab'), 'a1\nb1\nb2\n');
});

test('a module the Targetfile imports is loaded fresh after an edit', async (t) => {
  const w = watchRig(t);
  w.start(['ab', 'greet']);
  await w.nth('watching', 1);
  w.write('lib/greeting.ts', "export const greeting = 'bonjour';\n");
  await w.nth('watching', 2);
  t.deepEqual(w.of('changed')[0]!.paths, ['lib/greeting.ts']);
  t.deepEqual(w.targets(1, 'started'), ['greet']);
  t.is(w.read('out/greet/greet'), '{"greeting":"bonjour"}');
});

test('a burst of edits within the debounce window is one rebuild with all of them', async (t) => {
  const w = watchRig(t);
  w.start(['ab', 'greet'], { debounceMs: 500 });
  await w.nth('watching', 1);
  for (const text of ['a2\n', 'a3\n', 'a4\n']) w.write('a.txt', text);
  w.write('b/one.txt', 'B1\n');
  w.write('lib/greeting.ts', "export const greeting = 'hey';\n");
  await w.nth('watching', 2);
  // A later edit: any straggler of the burst would have made a build before this one's.
  w.write('a.txt', 'a5\n');
  await w.nth('watching', 3);
  t.is(w.builds.length, 3);
  t.deepEqual(w.of('changed').map((s) => s.paths), [['a.txt', 'b/one.txt', 'lib/greeting.ts'], ['a.txt']]);
  t.deepEqual(w.targets(1, 'started'), ['a', 'ab', 'b', 'greet']);
  t.deepEqual(w.targets(2, 'started'), ['a', 'ab']);
  t.is(w.read('out/ab/ab'), 'a5\nB1\n');
});

test('a broken Targetfile shows the error and keeps watching; the fix rebuilds', async (t) => {
  const w = watchRig(t);
  w.start(['ab']);
  await w.nth('watching', 1);
  const good = w.read('Targetfile.ts');
  w.write('Targetfile.ts', good.replace("export const ab = target({ name: 'ab',", "export const ab = target({ name: 'ab' ;"));
  const error = await w.nth('profile-error', 1);
  t.is(error.diagnostic.at?.file, w.path('Targetfile.ts'));
  t.is(error.diagnostic.at?.line, 10);
  t.regex(error.diagnostic.message, /syntax error/);
  const waiting = await w.nth('watching', 2);
  t.is(waiting.last, 'profile-error');
  t.is(w.builds.length, 1, 'nothing was built');

  w.write('Targetfile.ts', good.replace('cat "$DEPS/a/a" "$DEPS/b/b"', 'cat "$DEPS/b/b" "$DEPS/a/a"'));
  const fixed = await w.nth('watching', 3);
  t.is(fixed.last, 'ok');
  t.deepEqual(w.targets(1, 'started'), ['ab']);
  t.is(w.read('out/ab/ab'), 'b1\na1\n');
});

test('an input declared but missing fails its target; creating it rebuilds', async (t) => {
  const w = watchRig(t);
  w.write('Targetfile.ts', `${w.read('Targetfile.ts')}\nexport const late = target({ name: 'late', files: ['later/late.txt'], sh: 'cat later/late.txt > "$OUT/late"' });\n`);
  w.start(['late']);
  const first = await w.nth('watching', 1);
  t.is(first.last, 'failed');
  t.deepEqual(w.targets(0, 'failed'), ['late']);
  w.write('later/late.txt', 'here\n');
  const second = await w.nth('watching', 2);
  t.is(second.last, 'ok');
  t.is(w.read('out/late/late'), 'here\n');
});

test('an edit to an input of a running target aborts the build; the next build has the edit', async (t) => {
  const w = watchRig(t);
  w.start(['slow', 'fast']);
  await w.event(0, (e) => e.type === 'started' && e.target === 'slow', 'slow started');
  await w.event(0, (e) => e.type === 'succeeded' && e.target === 'fast', 'fast built');
  w.write('slow.txt', 'slow2\n');
  const edit = await w.nth('edit-during-build', 1);
  t.is(edit.decision, 'abort');
  t.is(edit.path, 'slow.txt');
  t.regex(edit.reason, /slow\.txt is an input of slow, which has not finished/);
  await w.event(0, (e) => e.type === 'build-finished', 'the first build ended');
  t.true(w.finished(0)!.interrupted);
  t.deepEqual(w.targets(0, 'aborted'), ['slow']);

  await w.event(1, (e) => e.type === 'started' && e.target === 'slow', 'slow started again');
  t.deepEqual(w.of('changed')[0]!.paths, ['slow.txt']);
  w.write('gate', '');
  await w.nth('watching', 1);
  t.is(w.builds.length, 2);
  t.is(w.read('out/slow/slow'), 'slow2\n');
});

test('an edit that only finished targets read lets the build finish; the next build reruns them', async (t) => {
  const w = watchRig(t);
  w.start(['slow', 'fast']);
  await w.event(0, (e) => e.type === 'started' && e.target === 'slow', 'slow started');
  await w.event(0, (e) => e.type === 'succeeded' && e.target === 'fast', 'fast built');
  w.write('fast.txt', 'fast2\n');
  const edit = await w.nth('edit-during-build', 1);
  t.is(edit.decision, 'finish');
  t.regex(edit.reason, /fast\.txt is an input of fast only/);
  w.write('gate', '');
  await w.nth('watching', 1);
  t.false(w.finished(0)!.interrupted);
  t.deepEqual(w.targets(0, 'succeeded'), ['fast', 'slow']);
  t.deepEqual(w.of('changed')[0]!.paths, ['fast.txt']);
  t.deepEqual(w.targets(1, 'started'), ['fast']);
  t.deepEqual(w.targets(1, 'cached'), ['slow']);
  t.is(w.read('out/fast/fast'), 'fast2\n');
});

test('an edit to an input of a finished target that a running one needs aborts the build', async (t) => {
  const w = watchRig(t);
  w.start(['after']);
  await w.event(0, (e) => e.type === 'started' && e.target === 'slow', 'slow started');
  await w.event(0, (e) => e.type === 'succeeded' && e.target === 'fast', 'fast built');
  w.write('fast.txt', 'fast2\n');
  const edit = await w.nth('edit-during-build', 1);
  t.is(edit.decision, 'abort');
  t.regex(edit.reason, /fast\.txt is an input of fast, and .*after.*, not finished, needs? it/);
  w.write('gate', '');
  await w.nth('watching', 1);
  t.is(w.read('out/after/after'), 'slow1\nfast2\n');
});

test('writes into out/ and the store trigger nothing', async (t) => {
  const w = watchRig(t);
  // notes reads **/*.note: the out dir and the store are inside what it watches.
  w.start(['ab', 'notes']);
  await w.nth('watching', 1);
  w.write('out/ab/ab', 'tampered\n');
  w.write('out/new/file.note', 'x\n');
  w.write('.store/stray.note', 'x\n');
  // A real edit after them: had they counted, they would be in its build or one before it.
  w.write('docs/two.note', 'two\n');
  await w.nth('watching', 2);
  t.is(w.builds.length, 2);
  t.deepEqual(w.of('changed').map((s) => s.paths), [['docs/two.note']]);
  t.deepEqual(w.targets(1, 'started'), ['notes']);
});

test('stopping aborts the running build, closes the watcher and returns 130', async (t) => {
  const w = watchRig(t);
  w.start(['slow']);
  await w.event(0, (e) => e.type === 'started' && e.target === 'slow', 'slow started');
  const code = await w.stop();
  t.is(code, 130);
  t.deepEqual(w.targets(0, 'aborted'), ['slow']);
  t.true(w.finished(0)!.interrupted);
  t.deepEqual(w.of('stopped'), [{ type: 'stopped', abortedBuild: true }]);
  const tmp = w.path('.store/tmp');
  t.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no scratch left in the store');
  // Closed: an edit now starts nothing.
  w.write('slow.txt', 'slow2\n');
  w.write('gate', '');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(w.builds.length, 1);
});

test('profiles: conf.d/, features/ and what they import are watched and loaded fresh', async (t) => {
  const w = watchRig(t, 'profile');
  w.start(['notes']);
  const first = await w.nth('watching', 1);
  t.is(first.dirs, 2, 'conf.d/ and features/');

  // Breaks only if the module conf.d/main.ts imports is loaded fresh.
  w.write('shared/names.ts', "export const NAME = 'Not A Name';\n");
  const error = await w.nth('profile-error', 1);
  t.deepEqual(w.of('changed')[0]!.paths, ['shared/names.ts']);
  t.regex(error.diagnostic.message, /invalid distro name "Not A Name"/);
  t.is(error.diagnostic.at?.file, w.path('conf.d/main.ts'));
  t.is((await w.nth('watching', 2)).last, 'profile-error');

  w.write('shared/names.ts', "export const NAME = 'app2';\n");
  t.is((await w.nth('watching', 3)).last, 'ok');
  t.deepEqual(w.targets(1, 'cached'), ['notes']);

  w.write('features/core/README.md', 'The core.\n');
  t.is((await w.nth('watching', 4)).last, 'ok');
  t.deepEqual(w.of('changed')[2]!.paths, ['features/core/README.md']);
});

test('the CLI: -w --json prints watch statuses as JSON lines among the events; SIGINT exits 130', async (t) => {
  const r = new ProjectRig({
    'Targetfile.ts': `import { target } from 'mkimage';\nexport const a = target({ name: 'a', files: ['a.txt'], sh: 'cat a.txt > "$OUT/a"' });\n`,
    'a.txt': 'a1\n',
  });
  t.teardown(() => r.dispose());
  const usage = await r.run(['--watch', '-n']);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /--watch builds and --dry-run builds nothing/);

  const child = r.start(['-w', '--json']);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const seen = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => pattern.test(out) && resolve();
      child.stdout!.on('data', check);
      child.on('exit', () => reject(new Error(`exited before ${pattern}: ${out}`)));
      check();
    });
  await seen(/"event":"watching"/);
  writeFileSync(r.path('a.txt'), 'a2\n');
  await seen(/"event":"watching"[^]*"event":"watching"/);
  child.kill('SIGINT');
  t.is(await exited(child), 130);
  const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; event?: string; paths?: string[] });
  t.deepEqual(
    lines.filter((l) => l.type === 'watch').map((l) => l.event),
    ['outputs', 'watching', 'changed', 'outputs', 'watching', 'stopped'],
  );
  t.deepEqual(lines.find((l) => l.event === 'changed')?.paths, ['a.txt']);
  t.is(lines.filter((l) => l.type === 'build-finished').length, 2);
});
