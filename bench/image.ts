// `npm run -s bench -- image`: server-mini.iso through the real CLI (cold from an empty store,
// no-op, one overlay file edited) against the floor: the same steps as raw tool calls
// (bench/floor.sh), measured in the same run. Needs root, the Debian tools and the archive.
// Both sides start with an empty package cache, so both download what they install.

import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

async function mkimage(report: Report, bench: string, project: string, store: string): Promise<Run> {
  const r = await run(process.execPath, [BIN, '--json', '--store', store, GOAL], project);
  if (r.code !== 0) throw new Error(`${bench}: mkimage exited with ${r.code}: ${r.stdout.slice(-2000)}`);
  const ran = stages(r.stdout);
  report({ bench, image: GOAL, ms: Math.round(r.ms), stages_ran: Object.keys(ran).length, ...Object.fromEntries(Object.entries(ran).map(([k, v]) => [`s_${k}`, v])) });
  return r;
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
  progress('no-op: the same again');
  const noop = await mkimage(report, 'image.noop', project, store);
  progress(`overlay edit: ${OVERLAY_FILE}`);
  appendFileSync(join(project, OVERLAY_FILE), '# edited by the image bench\n');
  const edit = await mkimage(report, 'image.overlay-edit', project, store);
  report({
    bench: 'image.summary',
    cold_over_floor: round(cold.ms / floor.ms, 3),
    noop_ms: Math.round(noop.ms),
    edit_over_cold: round(edit.ms / cold.ms, 3),
  });
};
