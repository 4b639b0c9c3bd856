// The store stays valid whatever happens to the processes using it: interrupts, kills, two
// builds at once, corruption, eviction. Real CLI processes on a real store.

import test from 'ava';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, mountsUnder, ProjectRig, result, waitForOutput } from '../helpers/project-rig.ts';

function rig(t: { teardown(fn: () => void): void }, targetfile: string, store?: string) {
  const r = new ProjectRig({ 'Targetfile.ts': targetfile }, store);
  t.teardown(() => r.dispose());
  return r;
}

const entries = (store: string) => (existsSync(join(store, 'trees')) ? readdirSync(join(store, 'trees')).filter((n) => /^[0-9a-f]{64}$/.test(n)) : []);
const leftovers = (store: string) => (existsSync(join(store, 'tmp')) ? readdirSync(join(store, 'tmp')) : []);

/** Alive and not a zombie (an orphan's zombie lingers until its new parent reaps it). */
const pidAlive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

test('SIGINT aborts the running recipe and its children, cleans up and exits 130', async (t) => {
  const r = rig(t, `import { target } from 'mkimage';
export const slow = target({ name: 'slow', sh: 'sleep 300 & echo "child $!"; echo started; wait' });
export const after = target({ name: 'after', deps: ['slow'], sh: 'true' });
`);
  const child = r.start(['--json', '--verbose']);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitForOutput(child, /started\\n/);
  const sleeper = Number(/child (\d+)/.exec(out)?.[1]);
  t.true(pidAlive(sleeper));
  child.kill('SIGINT');
  const code = await exited(child);
  t.is(code, 130);
  const run = result(code, out, '');
  t.deepEqual(run.of('aborted'), ['slow']);
  t.deepEqual(run.of('skipped'), ['after']);
  await new Promise((res) => setTimeout(res, 200));
  t.false(pidAlive(sleeper), 'the recipe\'s child process was killed too');
  t.deepEqual(entries(r.store), []);
  t.deepEqual(leftovers(r.store), []);
  t.deepEqual(await mountsUnder(r.store), []);
});

/** Once some process has started put(): a staging dir put-* is in its tmp dir. False after `ms`. */
async function putStarted(store: string, ms = 30_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const own of leftovers(store)) {
      const dir = join(store, 'tmp', own);
      if (existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('put-'))) return true;
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  return false;
}

test('a process killed outright while writing an entry leaves no entry; the next run cleans up and builds', async (t) => {
  // A quick recipe with a big output: the store takes a while to put it, and the kill lands there.
  const r = rig(t, `import { target } from 'mkimage';
export const big = target({ name: 'big', sh: 'mkdir "$OUT/d" && cd "$OUT/d" && seq 1 20000 | xargs touch && echo written' });
`);
  const child = r.start(['--json', '--verbose']);
  t.true(await putStarted(r.store), 'the kill lands while the entry is being written');
  child.kill('SIGKILL');
  await exited(child);
  t.deepEqual(entries(r.store), [], 'no entry was published');
  const verify = await r.run(['cache', 'verify']);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  t.deepEqual(leftovers(r.store), [], 'the next run removed the dead process\'s scratch');
  t.deepEqual(await mountsUnder(r.store), []);
  const again = await r.run(['--json']);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.of('succeeded'), ['big']);
  t.is(readdirSync(r.path('out/big/d')).length, 20000);
});

test('two processes on one store both finish, and each recipe runs once', async (t) => {
  const counter = `${process.env.TMPDIR ?? '/tmp'}/mkimage-count-${process.pid}-${Date.now()}`;
  writeFileSync(counter, '');
  t.teardown(() => rmSync(counter, { force: true }));
  const targetfile = `import { target } from 'mkimage';
const shared = target({ name: 'shared', sh: 'echo shared >> ${counter}; sleep 1; echo x > $OUT/x' });
export const a = target({ name: 'a', deps: [shared], sh: 'echo a >> ${counter}; cp $DEPS/shared/x $OUT/' });
export const b = target({ name: 'b', deps: [shared], sh: 'echo b >> ${counter}; cp $DEPS/shared/x $OUT/' });
`;
  const one = rig(t, targetfile);
  const two = rig(t, targetfile, one.store);
  const [x, y] = await Promise.all([one.run(['--json', 'a', 'b']), two.run(['--json', 'a', 'b'])]);
  t.is(x.code, 0, x.stderr);
  t.is(y.code, 0, y.stderr);
  t.deepEqual(readFileSync(counter, 'utf8').trim().split('\n').sort(), ['a', 'b', 'shared']);
  t.deepEqual([...x.of('succeeded'), ...y.of('succeeded')].sort(), ['a', 'b', 'shared']);
  const verify = await one.run(['cache', 'verify']);
  t.is(verify.code, 0);
});

test('a corrupt entry is found by verify, evicted, and rebuilt by the next build', async (t) => {
  const r = rig(t, `import { target } from 'mkimage';
export const a = target({ name: 'a', sh: 'echo good > $OUT/file' });
`);
  await r.run([]);
  const [entry] = entries(r.store);
  writeFileSync(join(r.store, 'trees', entry!, 'tree', 'file'), 'evil\n');
  const verify = await r.run(['cache', 'verify']);
  t.is(verify.code, 1);
  t.regex(verify.stdout, new RegExp(`corrupt +${entry}`));
  const again = await r.run(['--json', '-B']);
  const rebuilt = await r.run(['--json']);
  t.deepEqual(again.of('succeeded'), ['a']);
  t.deepEqual(rebuilt.of('cached'), ['a']);
  t.is(readFileSync(r.path('out/a/file'), 'utf8'), 'good\n');
  t.is((await r.run(['cache', 'verify'])).code, 0);
});

test('cache gc evicts least recently used entries first', async (t) => {
  const r = rig(t, `import { target } from 'mkimage';
export const old = target({ name: 'old', sh: 'head -c 100000 /dev/zero > $OUT/f' });
export const mid = target({ name: 'mid', sh: 'head -c 100001 /dev/zero > $OUT/f' });
export const fresh = target({ name: 'fresh', sh: 'head -c 100002 /dev/zero > $OUT/f' });
`);
  const built = await r.run(['--json']);
  const digestOf = (name: string) => (built.events.find((e) => e.type === 'succeeded' && e.target === name) as { digest: string }).digest;
  const now = Date.now() / 1000;
  const age = (name: string, seconds: number) => utimesSync(join(r.store, 'trees', digestOf(name), 'used'), now - seconds, now - seconds);
  age('old', 3000);
  age('mid', 2000);
  age('fresh', 1000);
  const gc = await r.run(['cache', 'gc', '--max-size', '150K']);
  t.is(gc.code, 0, gc.stderr);
  const evicted = [...gc.stdout.matchAll(/evicted +([0-9a-f]{16})/g)].map((m) => m[1]);
  t.deepEqual(evicted, [digestOf('old').slice(0, 16), digestOf('mid').slice(0, 16)]);
  t.deepEqual(entries(r.store), [digestOf('fresh')]);
  const rebuild = await r.run(['--json']);
  t.deepEqual(rebuild.of('succeeded'), ['mid', 'old']);
  const ls = await r.run(['cache', 'ls']);
  t.regex(ls.stdout, /3 entries, [0-9.]+ ?[KMG]?i?B of trees, [0-9.]+ ?[KMG]?i?B on disk/);
});
