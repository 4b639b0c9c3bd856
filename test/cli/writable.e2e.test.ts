// Needs root (it mounts small file systems): places mkimage must write that cannot take it (a
// full out dir, a read-only store or out dir, a full store) are one line each and a failed
// run, never `build ok`, an internal error or a stack trace; the outputs of the last good run
// stay as they were and no partial copy is left behind. Tiny plain targets, no image.

import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { ProjectRig, type RunResult } from '../helpers/project-rig.ts';

test.before(() => {
  // Without root, every test here fails instead of passing having done nothing.
  if (process.getuid?.() !== 0) throw new Error('the e2e suite needs root (mounts): run it as root');
});

/** `blob`: `bytes` random bytes; `dirs`: `count` empty directories. */
const TARGETFILE = (bytes: number, dirs = 1) => `import { target } from 'mkimage';

export const blob = target({ name: 'blob', values: { bytes: ${bytes} }, sh: 'head -c ${bytes} /dev/urandom > $OUT/blob' });
export const dirs = target({ name: 'dirs', values: { dirs: ${dirs} }, sh: 'cd $OUT && mkdir $(seq -f d%g ${dirs})' });
`;

/** A project whose mounts are undone, then the project removed, when the test ends. */
function rig(t: ExecutionContext, files: Record<string, string>, store?: string): ProjectRig & { mount(dir: string, how: 'tmpfs' | 'ext4', options?: string): string } {
  const r = new ProjectRig(files, store);
  const mounted: string[] = [];
  t.teardown(() => {
    for (const dir of mounted.reverse()) execFileSync('umount', ['-l', dir]);
    r.dispose();
  });
  return Object.assign(r, {
    /** A small file system at `dir` in the project: tmpfs with `options`, or an 8 MiB ext4 with room for many inodes. */
    mount(dir: string, how: 'tmpfs' | 'ext4', options = 'size=1m'): string {
      const path = r.path(dir);
      mkdirSync(path, { recursive: true });
      if (how === 'tmpfs') execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path]);
      else {
        const image = r.path(`${dir}.img`);
        execFileSync('truncate', ['-s', '8M', image]);
        execFileSync('mkfs.ext4', ['-q', '-b', '4096', '-N', '8192', image]);
        execFileSync('mount', ['-o', 'loop', image, path]);
      }
      mounted.push(path);
      return path;
    },
  });
}

/** stderr is one `mkimage: ` line matching `pattern`: no internal error, no stack. */
function oneLine(t: ExecutionContext, run: RunResult, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, pattern);
  t.notRegex(run.stderr, /internal error|\n\s+at /);
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.mkimage-new-') || n.includes('.mkimage-old-') || n.endsWith('.tmp'));

test('outputs that do not fit are refused before copying: one line, exit 1, no build ok, the old outputs kept', async (t) => {
  const r = rig(t, { 'Targetfile.ts': TARGETFILE(1000) });
  const out = r.mount('small', 'tmpfs', 'size=1m');
  const first = await r.run(['--out', out, 'blob']);
  t.is(first.code, 0, first.stderr);
  const before = readFileSync(`${out}/blob/blob`);

  r.write({ 'Targetfile.ts': TARGETFILE(2_000_000) });
  const full = await r.run(['--out', out, 'blob']);
  t.is(full.code, 1);
  oneLine(t, full, /^mkimage: cannot write outputs to \S+\/small: 1\.9MiB needed, 10\d\dKiB free \(hint: --out DIR elsewhere, or free space\)$/);
  t.notRegex(full.stdout, /build ok/);
  t.regex(full.stdout, /^build FAILED: 1 built, 0 cached, 0 failed/m);
  t.notRegex(full.stdout, /^output /m);
  t.deepEqual(readFileSync(`${out}/blob/blob`), before, 'the previous output is untouched');
  t.deepEqual(leftovers(out), []);

  // --json: the verdict event says the run failed too.
  const json = await r.run(['--json', '--out', out, 'blob']);
  t.is(json.code, 1);
  const finished = json.events.find((e) => e.type === 'build-finished');
  t.like(finished, { ok: false, interrupted: false });
});

test('a copy that fails anyway (directories take blocks the estimate leaves out): one line, the old outputs kept, no partial copy', async (t) => {
  const r = rig(t, { 'Targetfile.ts': TARGETFILE(1, 3) });
  const out = r.mount('small', 'ext4');
  t.is((await r.run(['--out', out, 'dirs'])).code, 0);
  t.deepEqual(readdirSync(`${out}/dirs`).sort(), ['d1', 'd2', 'd3']);

  // 3000 directories of 4 KiB each do not fit in what is left of 8 MiB.
  r.write({ 'Targetfile.ts': TARGETFILE(1, 3000) });
  const full = await r.run(['--out', out, 'dirs']);
  t.is(full.code, 1);
  oneLine(t, full, /^mkimage: cannot write outputs to \S+\/small: no space left on the device \(copying 3001 files and directories, \S+ free without them\) \(hint: --out DIR elsewhere, or free space\)$/);
  t.notRegex(full.stdout, /build ok/);
  t.deepEqual(readdirSync(`${out}/dirs`).sort(), ['d1', 'd2', 'd3'], 'the previous output is untouched');
  t.deepEqual(leftovers(out), []);
});

test('a read-only out dir: one line, exit 1, no build ok', async (t) => {
  const r = rig(t, { 'Targetfile.ts': TARGETFILE(1000) });
  const out = r.mount('ro', 'tmpfs');
  execFileSync('mount', ['-o', 'remount,ro', out]);
  const run = await r.run(['--out', `${out}/out`, 'blob']);
  t.is(run.code, 1);
  oneLine(t, run, /^mkimage: cannot write outputs to \S+\/ro\/out: read-only file system \(hint: --out DIR names a writable directory\)$/);
  t.notRegex(run.stdout, /build ok/);
});

test('a read-only store, or one that is not there yet on a read-only mount: one line, exit 2, nothing runs', async (t) => {
  const r = rig(t, { 'Targetfile.ts': TARGETFILE(1000) });
  const store = r.mount('store', 'tmpfs');
  execFileSync('mount', ['-o', 'remount,ro', store]);
  for (const [name, path] of [['the store', store], ['a store inside it', `${store}/new`]]) {
    const other = new ProjectRig({ 'Targetfile.ts': TARGETFILE(1000) }, path);
    t.teardown(() => other.dispose());
    const run = await other.run(['blob']);
    t.is(run.code, 2, name);
    oneLine(t, run, /^mkimage: cannot use the store \S+: read-only file system \(hint: point --store \(or \$MKIMAGE_STORE\) at a writable directory\)$/);
    t.is(run.stdout, '', name);
  }
});

test('a nearly full store: one line before the build, exit 1; cache gc still runs on it', async (t) => {
  const r = rig(t, { 'Targetfile.ts': TARGETFILE(1000) });
  const store = r.mount('store', 'tmpfs', 'size=2m');
  const inStore = new ProjectRig({ 'Targetfile.ts': TARGETFILE(1000) }, store);
  t.teardown(() => inStore.dispose());
  t.is((await inStore.run(['blob'])).code, 0);
  // Nearly full: 64 KiB left, too little for a build, enough for gc to take its lock.
  const fs = statfsSync(store);
  writeFileSync(`${store}/filler`, Buffer.alloc(fs.bfree * fs.bsize - (64 << 10)));
  const run = await inStore.run(['-B', 'blob']);
  t.is(run.code, 1);
  oneLine(t, run, /^mkimage: cannot build in the store \S+: its file system is full \(6\dKiB free\) \(hint: mkimage cache gc --max-size SIZE, or free space\)$/);
  t.notRegex(run.stdout, /build ok/);
  const gc = await inStore.run(['cache', 'gc', '--max-size', '0']);
  t.is(gc.code, 0, gc.stderr);
});
