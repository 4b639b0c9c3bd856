// The engine suite: the scheduler over generated graphs (cold, no-op, one change) through
// the real LocalStore wired as the CLI wires it, each build in a process of its own (bench/
// engine-graph.ts), as each `mkimage` run is; the no-op through the real CLI process; then
// the store's own figures (bench/store.ts).

import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Phase, PhaseReport } from './engine-graph.ts';
import { chain, dependents, editInput, fan, layered, writeProject, type Dag } from './generate.ts';
import { exec } from './exec.ts';
import { progress, round, type Figure, type Report, type Suite } from './measure.ts';
import { storeFigures } from './store.ts';
import type { TempDirs } from './temp.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/mkimage.js', import.meta.url));
const GRAPH_CHILD = fileURLToPath(new URL('./engine-graph.ts', import.meta.url));
/** Set to a directory to get a V8 CPU profile of every child process there. */
const CPU_PROF = process.env.MKIMAGE_BENCH_CPU_PROF;
const profiling = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];

export const engineSuite: Suite = async (report, temp) => {
  const graphs: Dag[] = [chain(2_000), fan(10_000), layered(50, 200, 42)];
  for (const dag of graphs) {
    const dir = temp.dir(`${dag.shape}-project`);
    const store = temp.dir(`${dag.shape}-store`);
    writeProject(dir, dag);
    await graphFigures(dag, dir, store, report, temp);
    // The CLI finds the state and the store of the builds before: its runs are no-ops.
    if (dag.shape === 'layered') await cliNoop(dag, dir, store, report);
  }
  await storeFigures(report, temp);
};

/** The machine may be shared: the fast builds run REPEAT times (a process each). */
const REPEAT = 3;

async function graphFigures(dag: Dag, dir: string, store: string, report: Report, temp: TempDirs): Promise<void> {
  const n = dag.names.length;
  progress(`${dag.shape}: cold build of ${n} targets`);
  const cold = await graphChild(dir, store, 'cold', undefined, temp);
  expect(cold.counts.succeeded === n, `${dag.shape} cold: ${n} targets should run, ${cold.counts.succeeded} did`);
  report({ bench: 'engine.cold', ...figure(cold), ran: cold.counts.succeeded, cached: cold.counts.cached });

  // A figure gives the fastest run (the least disturbed), every run's ms, and the highest RSS.
  progress(`${dag.shape}: no-op builds`);
  const noops: PhaseReport[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const noop = await graphChild(dir, store, 'noop', undefined, temp);
    expect(noop.counts.cached === n, `${dag.shape} no-op: ${n} targets should be cached, ${noop.counts.cached} were`);
    noops.push(noop);
  }
  const noop = fastest(noops);
  report({ bench: 'engine.noop', ...figure(noop), ...spread(noops), ran: noop.counts.succeeded, cached: noop.counts.cached });

  // A target in the middle that has dependents, edited again before each run: its output
  // changes, they rerun and produce the same output as before, and the rebuild stops there.
  const after = dependents(dag);
  let changed = Math.floor(n / 2);
  while (after[changed]!.length === 0) changed++;
  const name = dag.names[changed]!;
  const expected = 1 + after[changed]!.length;
  progress(`${dag.shape}: one-change builds (${name})`);
  const ones: PhaseReport[] = [];
  for (let i = 0; i < REPEAT; i++) {
    editInput(dir, name);
    const one = await graphChild(dir, store, 'one-change', name, temp);
    expect(one.counts.succeeded === expected, `${dag.shape} one-change: ${expected} targets should run, ${one.counts.succeeded} did`);
    ones.push(one);
  }
  const one = fastest(ones);
  report({
    bench: 'engine.one-change',
    ...figure(one),
    ...spread(ones),
    ran: one.counts.succeeded,
    cached: one.counts.cached,
    changed: name,
    changed_recipe_ms: one.changed_recipe_ms,
    recipes_ms: one.recipes_ms,
    overhead_ms: round(one.ms - one.recipes_ms),
  });
}

const fastest = (runs: readonly PhaseReport[]): PhaseReport => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

const spread = (runs: readonly PhaseReport[]) => ({
  ms_runs: runs.map((r) => r.ms),
  rss_mb: Math.max(...runs.map((r) => r.rss_mb)),
  rss_runs_mb: runs.map((r) => r.rss_mb),
});

/** A child's report as figure fields: the scalars, in the order the child gave them. */
function figure(r: PhaseReport): Omit<Figure, 'bench'> {
  const { phase: _phase, counts: _counts, recipes_ms: _recipes, changed_recipe_ms: _changed, ...scalars } = r;
  return scalars;
}

/** bench/engine-graph.ts in a process of its own: one build, its figures, its RSS. */
async function graphChild(dir: string, store: string, phase: Phase, changed: string | undefined, temp: TempDirs): Promise<PhaseReport> {
  const args = [...process.execArgv, ...profiling, GRAPH_CHILD, dir, store, phase, ...(changed === undefined ? [] : [changed])];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = temp.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let result: PhaseReport | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{')) result = JSON.parse(line) as PhaseReport;
    else if (line.trim() !== '') process.stderr.write(`${line}\n`);
  }
  const code = await exited;
  await stop();
  if (code !== 0 || !result) throw new Error(`bench/engine-graph.ts ${dir} ${phase} exited ${code}`);
  return result;
}

/**
 * The no-op through the real CLI process, so the loader's cost shows. The first run also
 * copies the goals' outputs to out/ (nothing else has); the runs after it are pure no-ops.
 */
async function cliNoop(dag: Dag, dir: string, store: string, report: Report): Promise<void> {
  const n = dag.names.length;
  progress('cli: no-op builds');
  // Node and tsx starting with nothing to load; then loading the Targetfile into a graph.
  const startup = await cli(['--help'], dir);
  const list = await cli(['list'], dir);
  expect(list.code === 0, `mkimage list failed: ${list.stderr.slice(-2000)}`);
  const runs: CliRun[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await cli(['--store', store, '--json'], dir);
    expect(r.code === 0 && r.counts?.cached === n, `cli no-op build: exit ${r.code}, ${JSON.stringify(r.counts)}: ${r.stderr.slice(-2000)}`);
    runs.push(r);
  }
  const [first, ...rest] = runs;
  const best = rest.reduce((a, b) => (b.ms < a.ms ? b : a));
  report({
    bench: 'engine.noop-cli',
    shape: dag.shape,
    targets: n,
    jobs: availableParallelism(),
    wall_ms: round(best.ms),
    wall_runs_ms: rest.map((r) => round(r.ms)),
    cpu_ms: best.cpuMs,
    // The engine's own build-finished duration; the rest is node, tsx, the Targetfile, the
    // graph, the store, the state file and the outputs.
    engine_ms: best.engineMs,
    outside_engine_ms: best.engineMs === null ? null : round(best.ms - best.engineMs),
    startup_ms: round(startup.ms),
    list_ms: round(list.ms),
    rss_mb: best.rssMb,
    cached: best.counts?.cached ?? null,
    first_run_ms: round(first!.ms),
    note: 'first_run_ms also copies the goals\' outputs to out/',
  });
}

/** Prints the process's peak RSS (KiB) and CPU time (µs) on stderr as it exits. */
const USAGE_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`\\nbench-usage ${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}\\n`); });",
)}`;

interface CliRun {
  readonly code: number | null;
  readonly ms: number;
  readonly stderr: string;
  readonly engineMs: number | null;
  readonly rssMb: number | null;
  /** CPU time of the whole process (all threads). */
  readonly cpuMs: number | null;
  readonly counts: Readonly<Record<string, number>> | undefined;
}

async function cli(args: readonly string[], cwd: string): Promise<CliRun> {
  const r = await exec(process.execPath, [...profiling, '--import', USAGE_PRELOAD, BIN, ...args], { cwd, env: { ...process.env, CI: '1' } });
  let finished: { durationMs: number; counts: Record<string, number> } | undefined;
  const at = r.stdout.lastIndexOf('{"type":"build-finished"');
  if (at >= 0) finished = JSON.parse(r.stdout.slice(at).split('\n')[0]!) as typeof finished;
  const usage = /bench-usage (\d+) (\d+)/.exec(r.stderr);
  return {
    code: r.code,
    ms: r.ms,
    stderr: r.stderr,
    engineMs: finished ? finished.durationMs : null,
    rssMb: usage ? round(Number(usage[1]) / 1024) : null,
    cpuMs: usage ? round(Number(usage[2]) / 1000) : null,
    counts: finished?.counts,
  };
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
