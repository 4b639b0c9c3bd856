// `npm run -s bench -- packages`: a Debian package build through the real CLI, on the example
// project examples/own-packages ($MKIMAGE_BENCH_PACKAGES_PROJECT for another): jansson patched
// and rebuilt, jshon rebuilt against it, a tar image with jshon. Needs root, the Debian tools and the archive.
//
// package.chain-cold: json-tools.tar from an empty store: every target's seconds and the wall time.
// package.noop: the same again with nothing changed (median of NOOP_RUNS; nothing may run).
// package.chain-patch-edit: one line added to the patch's Description: the wall time and what ran.
// package.build-vs-raw: the `package/jansson` target (dpkg-buildpackage, its chroot and
//   build-deps cached) against the same build by hand: `unshare` + an overlay of the stored
//   build-deps root + `chroot ... dpkg-buildpackage` of the same source tree, as
//   src/package/stages/build.ts does it. A patch edit is what reruns only that target (-B
//   reruns all, and a package target cannot be a goal): each mkimage side is one edit's build,
//   each raw side builds the source the last edit made. PAIRS pairs in ABBA order, so that a
//   shared machine's drifting load falls on both sides alike. Each side is also cut at its
//   first and last line of output: setup, dpkg-buildpackage itself, and what follows.
//
// Stores and projects go under /var/tmp ($MKIMAGE_BENCH_TMP): a store holds GBs of roots.
// mkimage runs from a copy of the checkout taken at the start: the suite takes minutes, and an
// edit of src/ meanwhile would change the recipes' code and rerun every target of the no-op.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execOk } from './exec.ts';
import { progress, round, settle, type Report, type Suite } from './measure.ts';
import { TempDirs } from './temp.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE = process.env.MKIMAGE_BENCH_PACKAGES_PROJECT || fileURLToPath(new URL('../examples/own-packages/', import.meta.url));
const GOAL = process.env.MKIMAGE_BENCH_PACKAGES_GOAL || 'json-tools.tar';
const EPOCH = '1700000000';
const PATCH = 'features/jansson/patches/arrow.patch';
const BUILD = 'package/jansson';
const NOOP_RUNS = 5;
const PAIRS = 2;

/** What build.ts gives dpkg-buildpackage: the feature's buildOptions and the target's one job. */
const DEB_BUILD_OPTIONS = 'nocheck parallel=1';
/** build.ts's environment for the build, and its source path in the chroot. */
const BUILD_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/build', LC_ALL: 'C.UTF-8', TZ: 'UTC', DEBIAN_FRONTEND: 'noninteractive' };
const BUILD_DIR = '/build/src';

/**
 * The raw build, run by unshare in new namespaces: $1 the merged root, $2 the stored root
 * (lower, never written), $3 scratch with upper/ and work/. The overlay options are the
 * store's (volatile: no syncfs at unmount); the mounts are what a chroot build needs.
 */
const RAW_BUILD = `set -eu
mount -t overlay overlay -o "lowerdir=$2,upperdir=$3/upper,workdir=$3/work,index=on,redirect_dir=off,metacopy=off,volatile" "$1"
mount -t proc proc "$1/proc"
mount -t sysfs -o ro sysfs "$1/sys"
mount -t tmpfs -o mode=0755 dev "$1/dev"
for n in null zero full random urandom tty; do : >"$1/dev/$n"; mount --bind "/dev/$n" "$1/dev/$n"; done
mkdir "$1/dev/pts" "$1/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$1/dev/pts"
mount -t tmpfs -o mode=1777 shm "$1/dev/shm"
ln -s pts/ptmx "$1/dev/ptmx"
ln -s /proc/self/fd "$1/dev/fd"
mount -t tmpfs -o mode=0755 run "$1/run"
exec chroot "$1" /usr/bin/env DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS}" /bin/sh -c "cd ${BUILD_DIR} && dpkg-buildpackage -b -us -uc"
`;

interface Run {
  readonly ms: number;
  readonly stdout: string;
  /** stdout and stderr together, for a failure's message. */
  readonly output: string;
  readonly code: number | null;
  /** ms after the start at which output came, either stream. */
  readonly outputAt: readonly number[];
}

export function run(file: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    const outputAt: number[] = [];
    const onData = (toStdout: boolean) => (d: Buffer) => {
      outputAt.push(performance.now() - t0);
      if (toStdout) stdout += d.toString();
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout.on('data', onData(true));
    child.stderr.on('data', onData(false));
    child.on('close', (code) => resolve({ ms: performance.now() - t0, stdout, output, code, outputAt }));
  });
}

export interface TargetEvent {
  readonly type: string;
  readonly target: string;
  /** ms since the epoch. */
  readonly time: number;
  readonly digest?: string;
  readonly durationMs?: number;
  readonly unchanged?: boolean;
}

/** A `--json` build's target events (succeeded, cached, failed...). */
export function targetEvents(stdout: string): TargetEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TargetEvent)
    .filter((e) => typeof e.target === 'string');
}

export const ran = (events: readonly TargetEvent[]) => events.filter((e) => e.type === 'succeeded');
const seconds = (events: readonly TargetEvent[]) => Object.fromEntries(ran(events).map((e) => [`s_${e.target}`, round((e.durationMs ?? 0) / 1000, 2)]));
/** The output digest of a target in a build, whether it ran or was cached. */
function digestOf(events: readonly TargetEvent[], target: string): string {
  const e = events.find((x) => x.target === target && (x.type === 'succeeded' || x.type === 'cached'));
  if (!e?.digest) throw new Error(`no output of ${target} in the build's events`);
  return e.digest;
}

const load = () => round(loadavg()[0]!, 2);

export const packagesSuite: Suite = async (report, temp) => {
  // Our own scope under /var/tmp, disposed by the runner's (also on Ctrl-C).
  const local = new TempDirs(process.env.MKIMAGE_BENCH_TMP || '/var/tmp');
  temp.defer(() => local.dispose());
  const bin = await snapshot(local);
  const project = local.dir('packages-project');
  // The example's lock, if it has one; else the first build locks it (outside the timings' concern: chain-cold includes it).
  for (const part of ['Targetfile.ts', 'package.json', 'conf.d', 'features', 'mkimage.lock']) if (existsSync(join(EXAMPLE, part))) cpSync(join(EXAMPLE, part), join(project, part), { recursive: true });
  const store = local.dir('packages-store');
  // No repository above the copy: a commit elsewhere must not change what the image records.
  const env = { ...process.env, CI: '1', SOURCE_DATE_EPOCH: EPOCH, GIT_CEILING_DIRECTORIES: join(project, '..') } as Record<string, string>;
  const mkimage = async (bench: string): Promise<Run & { events: TargetEvent[] }> => {
    await settle();
    const r = await run(process.execPath, [bin, '--json', '--store', store, GOAL], project, env);
    if (r.code !== 0) throw new Error(`${bench}: mkimage exited with ${r.code}: ${r.output.slice(-2000)}`);
    return { ...r, events: targetEvents(r.stdout) };
  };

  progress(`chain-cold: mkimage ${GOAL} from an empty store (buildd, jansson, jshon, the image)`);
  const cold = await mkimage('package.chain-cold');
  report({
    bench: 'package.chain-cold',
    ms: Math.round(cold.ms),
    targets_ran: ran(cold.events).length,
    // Which packages the example builds: a copy taken while someone edits it shows here.
    packages: ran(cold.events).flatMap((e) => /^package\/[^/]+$/.test(e.target) ? [e.target.slice('package/'.length)] : []),
    ...seconds(cold.events),
  });

  progress(`noop: the same again, ${NOOP_RUNS} times`);
  await noop(report, mkimage);

  // ABBA: mkimage, raw, raw, mkimage...: a load that drifts during the pairs falls on both sides alike.
  const mk: Split[] = [];
  const raw: Split[] = [];
  const identical: boolean[] = [];
  const loads: number[] = [];
  let latest: TargetEvent[] | undefined;
  for (let i = 1; i <= PAIRS; i++) {
    for (const side of i % 2 === 1 ? (['mk', 'raw'] as const) : (['raw', 'mk'] as const)) {
      if (side === 'mk') {
        progress(`patch edit ${mk.length + 1}: a line added to the Description of ${PATCH}`);
        const edit = await patchEdit(project, mk.length + 1, () => mkimage('package.chain-patch-edit'));
        latest = edit.events;
        mk.push(targetSplit(edit.events, BUILD));
        if (mk.length === 1) {
          report({
            bench: 'package.chain-patch-edit',
            ms: Math.round(edit.ms),
            ran: ran(edit.events).map((e) => e.target),
            unchanged: ran(edit.events).filter((e) => e.unchanged).map((e) => e.target),
            build_deps_cached: edit.events.some((e) => e.target === `${BUILD}/build-deps` && e.type === 'cached'),
            ...seconds(edit.events),
          });
        }
      } else {
        progress(`raw ${raw.length + 1}: dpkg-buildpackage by hand of the last edit's source in the stored build-deps root`);
        const r = await rawBuild(local, store, latest!);
        raw.push(r.split);
        identical.push(r.identical);
      }
      loads.push(load());
    }
  }
  const total = (xs: readonly Split[]) => xs.reduce((t, x) => t + x.ms, 0);
  const part = (xs: readonly Split[], k: keyof Split) => xs.map((x) => Math.round(x[k]));
  report({
    bench: 'package.build-vs-raw',
    pairs: PAIRS,
    ratio: round(total(mk) / total(raw), 3),
    mkimage_ms: part(mk, 'ms'),
    raw_ms: part(raw, 'ms'),
    // Where the difference is: before the build's first line of output (copy, mounts), the
    // build itself (first line to last), after its last line (the .debs moved, indexed, stored).
    mkimage_setup_ms: part(mk, 'setupMs'),
    mkimage_dpkg_ms: part(mk, 'dpkgMs'),
    mkimage_after_ms: part(mk, 'afterMs'),
    raw_setup_ms: part(raw, 'setupMs'),
    raw_dpkg_ms: part(raw, 'dpkgMs'),
    raw_after_ms: part(raw, 'afterMs'),
    // The same .deb bytes by hand as through mkimage: the raw side built what the target builds.
    debs_identical: identical.every(Boolean),
    loadavg_1m_each: loads,
  });
};

/** One build's time, cut at its first and last line of output. */
interface Split {
  readonly ms: number;
  readonly setupMs: number;
  readonly dpkgMs: number;
  readonly afterMs: number;
}

function split(start: number, end: number, outputs: readonly number[]): Split {
  const first = outputs[0] ?? start;
  const last = outputs.at(-1) ?? end;
  return { ms: end - start, setupMs: first - start, dpkgMs: last - first, afterMs: end - last };
}

/** A target's run in a build's events, cut by its output events. */
function targetSplit(events: readonly TargetEvent[], target: string): Split {
  const mine = events.filter((e) => e.target === target);
  const started = mine.find((e) => e.type === 'started');
  const done = mine.find((e) => e.type === 'succeeded');
  if (!started || !done) throw new Error(`package.build-vs-raw: ${target} did not run after the patch edit`);
  return split(started.time, done.time, mine.filter((e) => e.type === 'output').map((e) => e.time));
}

/** Adds a line to the patch's Description (DEP-3 header: no hunk changes) and builds. */
async function patchEdit<T>(project: string, n: number, build: () => Promise<T>): Promise<T> {
  const patch = join(project, PATCH);
  const [first, ...rest] = readFileSync(patch, 'utf8').split('\n');
  writeFileSync(patch, [first, ` (edited by the packages bench, ${n})`, ...rest].join('\n'));
  return build();
}

/**
 * mkimage's code as it is now, in a directory of its own (its packages linked, its CLI
 * compiled here, untimed); returns the path of its bin/mkimage.js.
 */
export async function snapshot(local: TempDirs): Promise<string> {
  const dir = local.dir('packages-checkout');
  for (const part of ['bin', 'src', 'package.json', 'tsconfig.json']) cpSync(join(REPO, part), join(dir, part), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  await execOk(process.execPath, [join(dir, 'bin/compile.js')], { cwd: dir });
  return join(dir, 'bin/mkimage.js');
}

async function noop(report: Report, mkimage: (bench: string) => Promise<Run & { events: TargetEvent[] }>): Promise<void> {
  const times: number[] = [];
  const reran = new Set<string>();
  for (let i = 0; i < NOOP_RUNS; i++) {
    const r = await mkimage('package.noop');
    times.push(r.ms);
    for (const e of ran(r.events)) reran.add(e.target);
  }
  times.sort((a, b) => a - b);
  report({
    bench: 'package.noop',
    ms: Math.round(times[Math.floor(times.length / 2)]!),
    ms_min: Math.round(times[0]!),
    ms_max: Math.round(times[times.length - 1]!),
    runs: NOOP_RUNS,
    targets_ran: reran.size,
    ...(reran.size > 0 && { reran: [...reran].sort() }),
  });
}

/**
 * dpkg-buildpackage of the source the build's events name, in a throwaway overlay of the
 * build-deps root they name, timed from the copy of the source to the last .deb; and whether
 * its .debs are byte for byte the target's.
 */
async function rawBuild(local: TempDirs, store: string, events: readonly TargetEvent[]): Promise<{ split: Split; identical: boolean }> {
  const tree = (target: string) => join(store, 'trees', digestOf(events, target), 'tree');
  const scope = local.child();
  try {
    const dir = scope.dir('packages-raw');
    const [root, scratch] = [join(dir, 'root'), join(dir, 'scratch')];
    await execOk('mkdir', ['-p', root, join(scratch, 'work'), join(scratch, 'upper', 'build')]);
    await settle();
    const t0 = performance.now();
    await execOk('cp', ['-a', '--reflink=auto', '--no-target-directory', join(tree(`${BUILD}/source`), 'src'), join(scratch, 'upper', BUILD_DIR)]);
    const copyMs = performance.now() - t0;
    const r = await run('unshare', ['--mount', '--propagation', 'private', '--pid', '--uts', '--ipc', '--fork', '--kill-child', '--net', '--', '/bin/sh', '-c', RAW_BUILD, 'raw-build', root, tree(`${BUILD}/build-deps`), scratch], dir, BUILD_ENV);
    if (r.code !== 0) throw new Error(`package.build-vs-raw: the raw build exited with ${r.code}: ${r.output.slice(-2000)}`);
    const debs = (d: string) => readdirSync(d).filter((f) => f.endsWith('.deb')).sort();
    const rawDir = join(scratch, 'upper', 'build');
    const mkDir = join(tree(BUILD), 'pool');
    const names = debs(rawDir);
    if (names.length === 0) throw new Error('package.build-vs-raw: the raw build made no .deb');
    const identical = names.join() === debs(mkDir).join() && names.every((f) => readFileSync(join(rawDir, f)).equals(readFileSync(join(mkDir, f))));
    return { split: split(0, copyMs + r.ms, r.outputAt.map((t) => copyMs + t)), identical };
  } finally {
    await scope.dispose();
  }
}
