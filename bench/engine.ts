// The engine suite: the scheduler over generated graphs (cold, no-op, one change) through
// the real LocalStore wired as the CLI wires it, each graph in a process of its own
// (bench/engine-graph.ts); the no-op through the real CLI process; then the store's own
// figures (bench/store.ts).

import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chain, fan, layered, writeProject, type Dag } from './generate.ts';
import { exec, progress, round, type Figure, type Report, type Suite } from './measure.ts';
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
    await graphChild(dir, store, report, temp);
    // The CLI finds the state and the store of the in-process builds: its runs are no-ops.
    if (dag.shape === 'layered') await cliNoop(dag, dir, store, report);
  }
  await storeFigures(report, temp);
};

/** bench/engine-graph.ts in a process of its own: its figures, its RSS. */
async function graphChild(dir: string, store: string, report: Report, temp: TempDirs): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, ...profiling, GRAPH_CHILD, dir, store], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = temp.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{')) report(JSON.parse(line) as Figure);
    else if (line.trim() !== '') process.stderr.write(`${line}\n`);
  }
  const code = await exited;
  await stop();
  if (code !== 0) throw new Error(`bench/engine-graph.ts ${dir} exited ${code}`);
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
