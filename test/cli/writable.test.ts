// A store or out dir that is a file where a directory should be: one line naming it and a
// hint, no internal error or stack trace. (Full and read-only file systems need mounts:
// writable.e2e.test.ts.)

import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectRig, type RunResult } from '../helpers/project-rig.ts';

const TARGETFILE = `import { target } from 'mkimage';
export const hello = target({ name: 'hello', sh: 'echo hi > $OUT/hello' });
`;

/** A regular file in a temp dir of its own, removed when the test ends. */
function aFile(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), 'not a directory\n');
  return join(dir, 'file');
}

function rig(t: ExecutionContext, store?: string): ProjectRig {
  const r = new ProjectRig({ 'Targetfile.ts': TARGETFILE }, store);
  t.teardown(() => r.dispose());
  return r;
}

function oneLine(t: ExecutionContext, run: RunResult, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, pattern);
  t.notRegex(run.stderr, /internal error|\n\s+at /);
}

test('--store FILE: one line, exit 2, nothing runs', async (t) => {
  const file = aFile(t);
  for (const args of [['hello'], ['-n', 'hello'], ['list'], ['cache', 'ls']]) {
    const run = await rig(t, file).run(args);
    t.is(run.code, 2, args.join(' '));
    oneLine(t, run, /^mkimage: cannot use the store \S+\/file: it is a file, not a directory \(hint: point --store \(or \$MKIMAGE_STORE\) at a writable directory\)$/);
    t.is(run.stdout, '');
  }
});

test('--store under a file: the file is named', async (t) => {
  const file = aFile(t);
  const run = await rig(t, join(file, 'store')).run(['hello']);
  t.is(run.code, 2);
  oneLine(t, run, new RegExp(`^mkimage: cannot use the store ${file}/store: ${file} is a file, not a directory \\(hint: `));
});

test('--out FILE: one line, exit 1, no build ok', async (t) => {
  const file = aFile(t);
  const run = await rig(t).run(['--out', file, 'hello']);
  t.is(run.code, 1);
  oneLine(t, run, /^mkimage: cannot write outputs to \S+\/file: it is a file, not a directory \(hint: --out DIR names a writable directory\)$/);
  t.notRegex(run.stdout, /build ok/);
  t.regex(run.stdout, /^build FAILED: 1 built/m);
});
