// `npm run -s bench -- image`: server-mini.iso through the real CLI (cold from an empty store,
// no-op, one overlay file edited) against the floor: the same steps as raw tool calls
// (bench/floor.sh), measured in the same run. Needs root, the Debian tools and the archive.
// Both sides start with an empty package cache, so both download what they install.

import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, round, type Report, type Suite } from './measure.ts';
import type { TempDirs } from './temp.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/mkimage.js');
const EPOCH = '1700000000';
const GOAL = 'server-mini.iso';
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

/** Per-stage seconds of a `--json` build: the succeeded events' durations. */
function stages(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type: string; target: string; durationMs?: number };
    if (e.type === 'succeeded') out[e.target.replace(/^.*\//, '')] = round((e.durationMs ?? 0) / 1000, 2);
  }
  return out;
}

/**
 * mkimage in the project copy. Git must not find a repository above the copy (a temp dir
 * inside a checkout): its HEAD, which moves when someone commits during the cold build, is
 * the commit .disk/info names, and so would rerun the iso stage of the next build.
 */
const mkimageRun = (project: string, store: string): Promise<Run> =>
  run(process.execPath, [BIN, '--json', '--store', store, GOAL], project, { GIT_CEILING_DIRECTORIES: dirname(project) });

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

export const imageSuite: Suite = async (report, temp: TempDirs) => {
  const project = temp.dir('image-project');
  for (const part of ['Targetfile.ts', 'conf.d', 'features', 'README.md']) cpSync(join(REPO, part), join(project, part), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
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

  progress(`cold: mkimage ${GOAL} from an empty store`);
  const cold = await mkimage(report, 'image.cold', project, store);
  progress(`no-op: the same again, ${NOOP_RUNS} times`);
  const noopMs = await noop(report, project, store);
  progress(`overlay edit: ${OVERLAY_FILE}`);
  appendFileSync(join(project, OVERLAY_FILE), '# edited by the image bench\n');
  const edit = await mkimage(report, 'image.overlay-edit', project, store, (r) => storedAs(r.stdout, store));
  report({
    bench: 'image.summary',
    cold_over_floor: round(cold.ms / floor.ms, 3),
    noop_ms: noopMs,
    edit_over_cold: round(edit.ms / cold.ms, 3),
  });
};
