// The live UI through the real CLI in a real pseudo-terminal (tmux): what a person sees at
// 80×24 while a build runs, the keys, the summary, NO_COLOR, `q`, and watch mode.

import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { width } from '../../src/ui/live/text.ts';
import { BIN } from '../helpers/project-rig.ts';
import { Terminal } from '../helpers/tmux.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/live', import.meta.url));

function project(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-live-'));
  cpSync(FIXTURE, dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function mkimage(t: { teardown(f: () => void): void }, dir: string, args: string[], o: { columns?: number; rows?: number; env?: Record<string, string> } = {}): Terminal {
  const term = new Terminal([process.execPath, BIN, '--store', join(dir, '.store'), ...args], {
    columns: o.columns ?? 80,
    rows: o.rows ?? 24,
    cwd: dir,
    ...(o.env && { env: o.env }),
  });
  t.teardown(() => term.close());
  return term;
}

const has = (text: string) => (screen: string[]) => screen.some((l) => l.includes(text));
/** Lines written wider than the terminal (each wrapped line joined back, so its whole width counts). */
const overflowing = (term: Terminal, columns: number) => term.screenJoined().filter((l) => width(l) > columns);
const SGR_COLOUR = /\x1b\[[0-9;]*m/;

test('an 80x24 terminal shows the layered graph while it runs, the keys work, and the summary ends it', async (t) => {
  const dir = project(t);
  const term = mkimage(t, dir, ['image']);
  const running = await term.waitFor('fetch running', has('waiting for the gate'));
  // Layered: fetch alone, then left and right side by side (they can run together), then image.
  const row = (name: string) => running.findIndex((l) => new RegExp(`\\b${name}\\b`).test(l) && !l.includes('waiting'));
  t.true(row('fetch') >= 0, running.join('\n'));
  t.is(row('left'), row('right'), 'left and right are drawn in one row');
  t.true(row('left') > row('fetch') && row('image') > row('left'), running.join('\n'));
  t.true(running.some((l) => /4 targets/.test(l)), 'the header counts the targets');
  t.deepEqual(overflowing(term, 80), [], 'no line wraps');
  t.regex(term.screenWithEscapes(), SGR_COLOUR, 'colours on a terminal without NO_COLOR');

  // Arrows select a target; `l` opens its log; escape goes back.
  term.keys('Down');
  await term.waitFor('a selected target', (s) => s.some((l) => l.includes('› fetch')));
  term.keys('l');
  const log = await term.waitFor('the log view', (s) => (s[0] ?? '').startsWith('log fetch'));
  t.true(log.some((l) => l.includes('waiting for the gate')));
  t.true(log[0]!.includes(join(dir, '.store', 'logs')), 'the log view names the log file');
  term.keys('Escape');
  await term.waitFor('the graph again', has('enter/l log'));

  writeFileSync(join(dir, 'gate'), '');
  // The header says "build ok" a frame before the summary is written: read the screen once the
  // process has exited, when all of it is there.
  await term.waitFor('the end of the build', has('build ok'));
  t.is(await term.waitForExit(), 0);
  const end = term.screen();
  t.true(end.some((l) => /4 built, 0 cached/.test(l)), end.join('\n'));
  t.true(end.some((l) => /critical path .*fetch → (left|right) → image/.test(l)), end.join('\n'));
  t.true(end.some((l) => l.includes(join(dir, 'out', 'image')) && /\d+\s?B\b/.test(l)), 'the output with its size');

  // Again: everything cached.
  const again = mkimage(t, dir, ['image']);
  t.is(await again.waitForExit(), 0);
  t.true(again.screen().some((l) => /0 built, 4 cached/.test(l)), again.screen().join('\n'));
});

test('a failure shows the target, its exit code, its last lines and its log', async (t) => {
  const dir = project(t);
  writeFileSync(join(dir, 'gate'), '');
  const term = mkimage(t, dir, ['broken']);
  t.is(await term.waitForExit(), 1);
  const s = term.screen();
  t.true(s.some((l) => /build failed/.test(l)), s.join('\n'));
  t.true(s.some((l) => l.includes('broken') && l.includes('exited with 3')), s.join('\n'));
  t.true(s.some((l) => l.includes('about to fail')));
  t.true(s.some((l) => l.includes('broken.log')));
});

test('q aborts the build cleanly: exit 130, no process left, the store usable', async (t) => {
  const dir = project(t);
  const term = mkimage(t, dir, ['image'], { env: { NO_COLOR: '1' } });
  await term.waitFor('fetch running', has('waiting for the gate'));
  t.notRegex(term.screenWithEscapes(), SGR_COLOUR, 'no colour with NO_COLOR');
  term.keys('q');
  t.is(await term.waitForExit(), 130);
  const s = term.screen();
  t.true(s.some((l) => /interrupted/.test(l)), s.join('\n'));
  t.true(s.some((l) => /aborted/.test(l)));
  t.deepEqual(readdirSync(join(dir, '.store', 'tmp')), [], 'no scratch left');
  // The recipe's shell loop is gone with it (its process group was killed).
  writeFileSync(join(dir, 'gate'), '');
  const next = mkimage(t, dir, ['image']);
  t.is(await next.waitForExit(), 0);
  t.true(next.screen().some((l) => /4 built/.test(l)), 'the next run builds what was aborted');
});

test('a narrow terminal gets a picture that fits', async (t) => {
  const dir = project(t);
  const term = mkimage(t, dir, ['image'], { columns: 40, rows: 12 });
  await term.waitFor('fetch running', has('fetch'));
  t.deepEqual(overflowing(term, 40), [], 'no line wraps');
  writeFileSync(join(dir, 'gate'), '');
  t.is(await term.waitForExit(), 0);
  t.true(term.screen().some((l) => /build ok/.test(l)));
  t.deepEqual(overflowing(term, 40), [], 'the summary does not wrap either');
});

test('watch mode draws each rebuild and stops on Ctrl-C', async (t) => {
  const dir = project(t);
  writeFileSync(join(dir, 'gate'), '');
  const term = mkimage(t, dir, ['--watch', 'image']);
  await term.waitFor('watching', has('watching'));
  writeFileSync(join(dir, 'source.txt'), 'edited\n');
  await term.waitFor('the rebuild', (s) => s.some((l) => l.includes('changed: source.txt')) && s.filter((l) => l.includes('watching')).length >= 2);
  t.true(term.screen().some((l) => /4 built, 0 cached/.test(l)), term.screen().join('\n'));
  term.keys('C-c');
  t.is(await term.waitForExit(), 130);
  t.true(existsSync(join(dir, 'out', 'image', 'image.txt')));
});
