// One build of a generated project, in a process of its own, so that its RSS is what a
// `mkimage` run doing that build would see: `node --import tsx bench/engine-graph.ts
// PROJECT_DIR STORE_DIR PHASE [CHANGED]`. Loads the Targetfile as the CLI does (openProject),
// then runs one build() wired as src/cli/build-command.ts wires it, its state read from and
// written to the store: cold (empty store), noop (nothing changed) or one-change (CHANGED's
// input was edited). Prints one JSON line on stdout; bench/engine.ts runs it and checks it.

import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalStore } from '../src/cache/index.ts';
import { openProject } from '../src/cli/project.ts';
import { engineStore } from '../src/cli/store-port.ts';
import { build, type BuildResult } from '../src/core/engine.ts';
import type { EngineEvent } from '../src/core/events.ts';
import type { TargetGraph } from '../src/core/graph.ts';
import type { TargetId } from '../src/core/ids.ts';
import { parseState } from '../src/core/state.ts';
import type { ArtifactStore } from '../src/core/store.ts';
import { readDag } from './generate.ts';
import { profiled, progress, round, RssPeak, toMb } from './measure.ts';
import { TempDirs } from './temp.ts';

const JOBS = availableParallelism();

export type Phase = 'cold' | 'noop' | 'one-change';

/** What one process reports: bench/engine.ts turns runs of these into figures. */
export type PhaseReport = Built['figure'] & {
  readonly phase: Phase;
  readonly shape: string;
  readonly targets: number;
  readonly goals: number;
  readonly jobs: number;
  /** Loading the Targetfile into a checked graph, as every CLI run does first. */
  readonly load_ms: number;
  readonly counts: Built['counts'];
  /** Recipe durations as the engine reports them (recipe plus storing its output), summed. */
  readonly recipes_ms: number;
  readonly changed_recipe_ms: number | null;
};

async function phaseFigure(dir: string, storeRoot: string, phase: Phase, changed: string | undefined, temp: TempDirs): Promise<PhaseReport> {
  const dag = readDag(dir);
  const n = dag.names.length;

  // What a CLI run does before the engine starts: load the Targetfile into a checked graph.
  const t = performance.now();
  const opened = await openProject({ store: storeRoot }, {
    out: () => undefined,
    err: (line) => progress(line),
    env: {},
    cwd: dir,
    cores: JOBS,
    signal: new AbortController().signal,
  });
  if (!opened.ok) throw new Error(`Targetfile: ${opened.error.message}`);
  const loadMs = performance.now() - t;
  const { graph, loaded } = opened.value;
  const goals = graph.sinks();
  expect(graph.ids().length === n, `the Targetfile declares ${graph.ids().length} targets, dag.json ${n}`);
  // The CLI keys a project's state by its Targetfile's path: the same key lets a CLI run
  // after these builds find their state.
  const project = createHash('sha256').update(loaded.file).digest('hex').slice(0, 16);
  const session: Session = { shape: dag.shape, graph, goals, root: loaded.root, storeRoot, project, temp };
  const built = await buildOnce(session, phase);
  const recipesMs = [...built.durations.values()].reduce((a, b) => a + b, 0);
  return {
    phase,
    shape: dag.shape,
    targets: n,
    goals: goals.length,
    jobs: JOBS,
    load_ms: round(loadMs),
    ...built.figure,
    counts: built.counts,
    recipes_ms: recipesMs,
    changed_recipe_ms: changed === undefined ? null : (built.durations.get(changed as TargetId) ?? null),
  };
}

interface Session {
  readonly shape: string;
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly root: string;
  readonly storeRoot: string;
  readonly project: string;
  readonly temp: TempDirs;
}

interface Built {
  readonly figure: {
    /** build() alone. */
    readonly ms: number;
    /**
     * CPU time of this process (all its threads) during build(): what the build costs when
     * other processes slow the wall clock down.
     */
    readonly cpu_ms: number;
    /** Opening the store through disposing it, as one CLI build does (the Targetfile aside). */
    readonly total_ms: number;
    readonly state_read_ms: number;
    readonly state_write_ms: number;
    /**
     * Peak RSS of this process: loading the Targetfile, reading the state, the build, writing
     * the state; what a `mkimage` run doing this build peaks at.
     */
    readonly rss_mb: number;
    /** RSS as build() starts (the Targetfile loaded, the state read); the peak from reading the state to the end of build(). */
    readonly rss_start_mb: number;
    readonly rss_build_mb: number;
    /** V8 heap in use when the build ends, garbage included (no GC forced). */
    readonly heap_mb: number;
  } & ReturnType<StoreCalls['figure']>;
  readonly counts: Readonly<Record<'cached' | 'succeeded' | 'failed' | 'skipped' | 'aborted', number>>;
  readonly durations: ReadonlyMap<TargetId, number>;
}

/** One build, wired as src/cli/build-command.ts does (minus the logger and the outputs). */
async function buildOnce(s: Session, phase: string): Promise<Built> {
  const rss = new RssPeak();
  const durations = new Map<TargetId, number>();
  let finished: Extract<EngineEvent, { type: 'build-finished' }> | undefined;
  let firstFailure: string | undefined;
  let events = 0;
  const emit = (e: EngineEvent) => {
    // A no-op decides every target in one synchronous pass, which starves the sampling timer.
    if (++events % 500 === 0) rss.sample();
    if (e.type === 'succeeded') durations.set(e.target, e.durationMs);
    else if (e.type === 'failed') firstFailure ??= `${e.target}: ${e.message}`;
    else if (e.type === 'build-finished') finished = e;
  };

  const calls = new StoreCalls();
  const temp = s.temp.child();
  const t0 = performance.now();
  let result: BuildResult;
  let buildMs: number;
  let stateReadMs: number;
  let stateWriteMs: number;
  let cpu: NodeJS.CpuUsage;
  let rssStart = 0;
  let rssBuild = 0;
  let heapMb = 0;
  try {
    const store = await LocalStore.open(s.storeRoot);
    temp.defer(() => store.dispose());
    let t = performance.now();
    const previous = parseState(store.readState(s.project));
    stateReadMs = performance.now() - t;
    const release = await store.acquireShared();
    temp.defer(() => release());
    const port = engineStore(store);
    temp.defer(() => port.dispose());
    rssStart = process.memoryUsage.rss();
    t = performance.now();
    cpu = process.cpuUsage();
    result = await profiled(`${s.shape}-${phase}-${process.pid}`, () => build({
      graph: s.graph,
      goals: s.goals,
      store: timedStore(port, calls),
      root: s.root,
      logsDir: join(store.logsDir, s.project),
      jobs: JOBS,
      previous,
      env: {},
      emit,
    }));
    buildMs = performance.now() - t;
    cpu = process.cpuUsage(cpu);
    rss.sample();
    heapMb = toMb(process.memoryUsage().heapUsed);
    rssBuild = rss.stop();
    t = performance.now();
    if (result.stateChanged) store.writeState(s.project, result.state);
    stateWriteMs = performance.now() - t;
  } finally {
    await temp.dispose();
  }
  const totalMs = performance.now() - t0;
  rss.stop();
  // maxRSS covers the whole life of the process, the Targetfile's load included.
  const peak = Math.max(rssBuild, process.resourceUsage().maxRSS * 1024);
  if (!result.ok) throw new Error(`build failed: ${firstFailure ?? 'no failure event'}`);
  return {
    figure: {
      ms: round(buildMs),
      cpu_ms: round((cpu.user + cpu.system) / 1000),
      total_ms: round(totalMs),
      state_read_ms: round(stateReadMs),
      state_write_ms: round(stateWriteMs),
      rss_mb: toMb(peak),
      rss_start_mb: toMb(rssStart),
      rss_build_mb: toMb(rssBuild),
      heap_mb: heapMb,
      ...calls.figure(),
    },
    counts: finished?.counts ?? { cached: 0, succeeded: 0, failed: 0, skipped: 0, aborted: 0 },
    durations,
  };
}

/** Wall time the engine spent inside each store call, summed (calls overlap with -j > 1). */
class StoreCalls {
  readonly ms = { get_action: 0, touch: 0, lock: 0, unlock: 0, scratch: 0, scratch_dispose: 0, put: 0, put_action: 0 };

  sync<T>(call: keyof StoreCalls['ms'], f: () => T): T {
    const t = performance.now();
    try {
      return f();
    } finally {
      this.ms[call] += performance.now() - t;
    }
  }

  async async<T>(call: keyof StoreCalls['ms'], f: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await f();
    } finally {
      this.ms[call] += performance.now() - t;
    }
  }

  figure() {
    const m = this.ms;
    return {
      store_get_action_ms: round(m.get_action),
      store_touch_ms: round(m.touch),
      store_lock_ms: round(m.lock + m.unlock),
      store_scratch_ms: round(m.scratch + m.scratch_dispose),
      store_put_ms: round(m.put),
      store_put_action_ms: round(m.put_action),
    };
  }
}

/** The engine's store port with every call timed into `calls`. */
function timedStore(port: ArtifactStore, calls: StoreCalls): ArtifactStore {
  return {
    getAction: (key) => calls.sync('get_action', () => port.getAction(key)),
    putAction: (key, record) => calls.sync('put_action', () => port.putAction(key, record)),
    touch: (digest) => calls.sync('touch', () => port.touch(digest)),
    scratch: async (label) => {
      const s = await calls.async('scratch', () => port.scratch(label));
      return { dir: s.dir, dispose: () => calls.async('scratch_dispose', () => s.dispose()) };
    },
    put: (dir) => calls.async('put', () => port.put(dir)),
    readPath: (digest) => port.readPath(digest),
    lock: async (name, signal) => {
      const release = await calls.async('lock', () => port.lock(name, signal));
      return () => calls.async('unlock', async () => release());
    },
  };
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// The process edge: one line out, store and mounts undone on any exit path.
const PHASES: readonly string[] = ['cold', 'noop', 'one-change'] satisfies Phase[];
const [dir, storeRoot, phase, changed] = process.argv.slice(2);
if (dir === undefined || storeRoot === undefined || phase === undefined || !PHASES.includes(phase)) {
  process.stderr.write(`usage: node --import tsx bench/engine-graph.ts PROJECT_DIR STORE_DIR ${PHASES.join('|')} [CHANGED]\n`);
  process.exit(2);
}
// The line owns stdout.
console.log = console.error;
console.info = console.error;
const temp = new TempDirs();
const onSignal = () => void temp.dispose().finally(() => process.exit(130));
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
let code = 0;
try {
  const figure = await phaseFigure(dir, storeRoot, phase as Phase, changed, temp);
  process.stdout.write(`${JSON.stringify(figure)}\n`);
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  code = 1;
} finally {
  await temp.dispose();
}
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
