// `npm run -s bench -- image`: server-mini.iso through the real CLI (cold from an empty store,
// no-op, one overlay file edited) against the floor: the same steps as raw tool calls
// (bench/floor.sh), measured in the same run. Needs root, the Debian tools and the archive.
// Both sides start with an empty package cache, so both download what they install.
//
// image.two: server-mini.iso and lb-server.iso in one mkimage run against each built alone,
// every build from an empty store (and so an empty apt cache, which lives in the store). The
// two share their bootstrap stage, so together should cost well under the sum (<= 0.65).
//
// image.cold-warm-pool: the cold build from an empty store with the pool the cold build filled.
// image.lock and image.lock-check: bench/image-lock.ts.
//
// BENCH_IMAGE_ONLY=one|two|lock runs one part alone (`one`: floor, cold, cold with a warm
// pool, no-op, overlay edit and their summary; `two`: image.two; `lock`: the lock's figures);
// unset runs all. An environment variable, because the
// runner takes exactly one argument, the suite, and a suite takes none.

import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, round, settle, type Report, type Suite } from './measure.ts';
import type { TempDirs } from './temp.ts';
import { lockBench } from './image-lock.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/mkimage.js');
const EPOCH = '1700000000';
const GOAL = 'server-mini.iso';
/** image.two: GOAL and a distro with the same bootstrap. */
const SECOND = 'lb-server.iso';
const OVERLAY_FILE = 'features/net/rootfs/etc/systemd/network/80-dhcp.network';

interface Run {
  readonly ms: number;
  readonly stdout: string;
  readonly code: number | null;
}

function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd, env: { ...process.env, CI: '1', SOURCE_DATE_EPOCH: EPOCH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', () => {});
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, stdout, code }));
  });
}

/** The events of a `--json` build, of the given type. */
function events(stdout: string, type: string): { target: string; durationMs?: number }[] {
  const out: { target: string; durationMs?: number }[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type: string; target: string; durationMs?: number };
    if (e.type === type) out.push(e);
  }
  return out;
}

/**
 * Per-stage seconds of a `--json` build: the succeeded events' durations, keyed by stage
 * (`packages`), or by target (`server-mini/packages`) when the build has several images.
 */
function stages(stdout: string, byTarget = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events(stdout, 'succeeded')) out[byTarget ? e.target : e.target.replace(/^.*\//, '')] = round((e.durationMs ?? 0) / 1000, 2);
  return out;
}

/**
 * mkimage in the project copy. Git must not find a repository above the copy (a temp dir
 * inside a checkout): its HEAD, which moves when someone commits during the cold build, is
 * the commit .disk/info names, and so would rerun the iso stage of the next build.
 */
const mkimageRun = (project: string, store: string, goals: readonly string[] = [GOAL]): Promise<Run> =>
  run(process.execPath, [BIN, '--json', '--store', store, ...goals], project, { GIT_CEILING_DIRECTORIES: dirname(project) });

async function mkimage(report: Report, bench: string, project: string, store: string, extra: (r: Run) => Record<string, string[]> = () => ({})): Promise<Run> {
  const r = await mkimageRun(project, store);
  if (r.code !== 0) throw new Error(`${bench}: mkimage exited with ${r.code}: ${r.stdout.slice(-2000)}`);
  const ran = stages(r.stdout);
  report({ bench, image: GOAL, ms: Math.round(r.ms), stages_ran: Object.keys(ran).length, ...Object.fromEntries(Object.entries(ran).map(([k, v]) => [`s_${k}`, v])), ...extra(r) });
  return r;
}

/**
 * The root stages whose output the store kept as changes over the previous root (an entry
 * with a `base`), and those it had to copy whole: a stage copied here is a slow path taken.
 */
function storedAs(stdout: string, store: string): { folded: string[]; copied: string[] } {
  const out = { folded: [] as string[], copied: [] as string[] };
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type: string; target: string; digest?: string };
    const stage = e.target?.replace(/^.*\//, '');
    if (e.type !== 'succeeded' || !['packages', 'overlay', 'hooks', 'cleanup'].includes(stage)) continue;
    const info = JSON.parse(readFileSync(join(store, 'trees', e.digest!, 'info.json'), 'utf8')) as { base?: string };
    (info.base ? out.folded : out.copied).push(stage);
  }
  return out;
}

/** A no-op is a few hundred ms on a shared machine: one run says little, five give a median. */
const NOOP_RUNS = 5;

/** The median no-op, and every stage that ran in any of the runs (there should be none). */
async function noop(report: Report, project: string, store: string): Promise<number> {
  const times: number[] = [];
  const ran = new Set<string>();
  for (let i = 0; i < NOOP_RUNS; i++) {
    const r = await mkimageRun(project, store);
    if (r.code !== 0) throw new Error(`image.noop: mkimage exited with ${r.code}: ${r.stdout.slice(-2000)}`);
    times.push(r.ms);
    for (const stage of Object.keys(stages(r.stdout))) ran.add(stage);
  }
  times.sort((a, b) => a - b);
  const ms = Math.round(times[Math.floor(times.length / 2)]!);
  report({
    bench: 'image.noop',
    image: GOAL,
    ms,
    ms_min: Math.round(times[0]!),
    ms_max: Math.round(times[times.length - 1]!),
    runs: NOOP_RUNS,
    stages_ran: ran.size,
    ...(ran.size > 0 && { reran: [...ran].sort() }),
  });
  return ms;
}

/** The project as a user has it, in a temp dir of its own (a part may edit it). */
function projectCopy(temp: TempDirs): string {
  const project = temp.dir('image-project');
  for (const part of ['Targetfile.ts', 'conf.d', 'features', 'README.md']) cpSync(join(REPO, part), join(project, part), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
  return project;
}

/** image.floor, image.cold, image.noop, image.overlay-edit and image.summary. */
async function oneImage(report: Report, temp: TempDirs): Promise<void> {
  const project = projectCopy(temp);
  const store = temp.dir('image-store');

  progress('floor: bench/floor.sh (raw tool calls)');
  const floorOut = temp.dir('image-floor');
  const floor = await run('bash', [join(REPO, 'bench/floor.sh'), floorOut], REPO, { FLOOR_APT_CACHE: temp.dir('image-floor-apt') });
  if (floor.code !== 0) throw new Error(`floor.sh exited with ${floor.code}`);
  const floorSteps: Record<string, number> = {};
  for (const line of floor.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const s = JSON.parse(line) as { step?: string; ms?: number };
    if (s.step) floorSteps[`s_${s.step}`] = round((s.ms ?? 0) / 1000, 2);
  }
  report({ bench: 'image.floor', ms: Math.round(floor.ms), ...floorSteps });

  progress(`cold: mkimage ${GOAL} from an empty store (it locks the distro and fills the pool)`);
  const cold = await mkimage(report, 'image.cold', project, store);
  progress(`cold with a warm pool: mkimage ${GOAL} from an empty store but for the package pool`);
  const warm = await coldWarmPool(report, temp, project, store);
  progress(`no-op: the same again, ${NOOP_RUNS} times`);
  const noopMs = await noop(report, project, store);
  progress(`overlay edit: ${OVERLAY_FILE}`);
  appendFileSync(join(project, OVERLAY_FILE), '# edited by the image bench\n');
  const edit = await mkimage(report, 'image.overlay-edit', project, store, (r) => storedAs(r.stdout, store));
  report({
    bench: 'image.summary',
    cold_over_floor: round(cold.ms / floor.ms, 3),
    warm_pool_over_cold: round(warm.ms / cold.ms, 3),
    warm_pool_over_floor: round(warm.ms / floor.ms, 3),
    noop_ms: noopMs,
    edit_over_cold: round(edit.ms / cold.ms, 3),
  });
}

/**
 * image.cold-warm-pool: the cold build again, from an empty store that has only the pool the
 * cold build filled (the lock it wrote is kept): what a CI runner with a cached pool pays.
 */
async function coldWarmPool(report: Report, temp: TempDirs, project: string, coldStore: string): Promise<Run> {
  const scope = temp.child();
  try {
    const store = scope.dir('image-warm-pool-store');
    cpSync(join(coldStore, 'pool'), join(store, 'pool'), { recursive: true });
    await settle();
    return await mkimage(report, 'image.cold-warm-pool', project, store);
  } finally {
    await scope.dispose();
  }
}

/**
 * One mkimage run of `goals` into an empty store of its own. The previous build's writes
 * are flushed first, so their writeback is not timed here; the store goes when the build is
 * done (a few GB each: three of them need not sit on the disk at once).
 */
async function fromEmpty(temp: TempDirs, project: string, goals: readonly string[]): Promise<Run> {
  const scope = temp.child();
  try {
    const store = scope.dir('image-two-store');
    await settle();
    const r = await mkimageRun(project, store, goals);
    if (r.code !== 0) throw new Error(`image.two: mkimage ${goals.join(' ')} exited with ${r.code}: ${r.stdout.slice(-2000)}`);
    return r;
  } finally {
    await scope.dispose();
  }
}

/**
 * image.two: GOAL and SECOND in one run against each alone. `cached` lists what the joint run
 * found already built by itself: one of the two bootstraps, else they did not share it. The
 * three builds take minutes each and a shared machine's load moves between them, so the load
 * after each (alone, alone, together) is kept: a ratio from unequal loads says little.
 */
async function twoImages(report: Report, temp: TempDirs): Promise<void> {
  const project = projectCopy(temp);
  progress(`two: mkimage ${GOAL} alone, from an empty store`);
  const load: number[] = [];
  const first = await fromEmpty(temp, project, [GOAL]);
  load.push(round(loadavg()[0]!, 2));
  progress(`two: mkimage ${SECOND} alone, from an empty store`);
  const second = await fromEmpty(temp, project, [SECOND]);
  load.push(round(loadavg()[0]!, 2));
  progress(`two: mkimage ${GOAL} ${SECOND} together, from an empty store`);
  const both = await fromEmpty(temp, project, [GOAL, SECOND]);
  load.push(round(loadavg()[0]!, 2));
  const ran = stages(both.stdout, true);
  report({
    bench: 'image.two',
    images: [GOAL, SECOND],
    ms: Math.round(both.ms),
    alone_server_mini_ms: Math.round(first.ms),
    alone_lb_server_ms: Math.round(second.ms),
    alone_sum_ms: Math.round(first.ms + second.ms),
    together_over_sum: round(both.ms / (first.ms + second.ms), 3),
    stages_ran: Object.keys(ran).length,
    cached: events(both.stdout, 'cached').map((e) => e.target).sort(),
    loadavg_1m_builds: load,
    ...Object.fromEntries(Object.entries(ran).map(([k, v]) => [`s_${k}`, v])),
  });
}

/** The parts BENCH_IMAGE_ONLY can pick, in the order a full run takes them. */
const PARTS: Readonly<Record<string, (report: Report, temp: TempDirs) => Promise<void>>> = { one: oneImage, two: twoImages, lock: lockBench };

export const imageSuite: Suite = async (report, temp: TempDirs) => {
  const only = process.env.BENCH_IMAGE_ONLY || undefined;
  if (only !== undefined && !(only in PARTS)) throw new Error(`BENCH_IMAGE_ONLY=${only}: no such part (parts: ${Object.keys(PARTS).join(', ')})`);
  for (const [name, part] of Object.entries(PARTS)) if (only === undefined || only === name) await part(report, temp);
};
