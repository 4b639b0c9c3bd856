import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecipeFailure } from '../../src/core/target.ts';
import { run } from '../../src/proc/run.ts';

const opts = (signal = new AbortController().signal, out: string[] = []) => ({
  cwd: tmpdir(),
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  signal,
  output: (_s: 'stdout' | 'stderr', text: string) => void out.push(text),
});

test('streams output and succeeds on exit 0', async (t) => {
  const out: string[] = [];
  await run('/bin/sh', ['-c', 'echo one; echo two >&2'], opts(undefined, out));
  t.is(out.join(''), 'one\ntwo\n');
});

test('a non-zero exit is a RecipeFailure with the code; 127 gets a hint', async (t) => {
  const e = await t.throwsAsync(run('/bin/sh', ['-c', 'exit 4'], opts()), { instanceOf: RecipeFailure });
  t.is(e?.details.exitCode, 4);
  const nf = await t.throwsAsync(run('/bin/sh', ['-c', 'no-such-command-here'], opts()), { instanceOf: RecipeFailure });
  t.regex(nf?.details.hint ?? '', /is the program installed/);
});

test('aborting kills the whole process group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const controller = new AbortController();
  const out: string[] = [];
  const p = run('/bin/sh', ['-c', 'sleep 60 & echo $!; wait'], opts(controller.signal, out));
  while (out.length === 0) await new Promise((r) => setTimeout(r, 10));
  const grandchild = Number(out.join('').trim());
  controller.abort(new Error('stop'));
  await t.throwsAsync(p);
  await new Promise((r) => setTimeout(r, 100));
  t.false(running(grandchild));
});

/** Alive and not a zombie (an orphan's zombie lingers until its new parent reaps it). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
