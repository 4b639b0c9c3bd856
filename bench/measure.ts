// What a benchmark reports and how it measures: figures (one JSON object per stdout line),
// wall time of a step, the peak resident set size seen while it ran, progress on stderr.

import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execOk } from './exec.ts';
import type { TempDirs } from './temp.ts';

type Scalar = string | number | boolean | null;

/** One measured fact. `bench` names it (`engine.noop`, `store.put`); the rest are its numbers. */
export interface Figure {
  readonly bench: string;
  readonly [field: string]: Scalar | readonly Scalar[];
}

export type Report = (figure: Figure) => void;

/**
 * A suite: a module in bench/ exporting one of these, run by `npm run -s bench -- <name>`.
 * Everything it leaves behind goes through `temp`, which the runner disposes.
 */
export type Suite = (report: Report, temp: TempDirs) => Promise<void>;

/** Progress for the person waiting; stdout carries figures only. */
export const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const toMb = (bytes: number): number => round(bytes / (1 << 20), 1);

/**
 * The peak RSS while a step runs. A timer samples it, but a synchronous stretch (a no-op
 * build decides all its targets in one go) starves the timer, so callers also `sample()`
 * from their own hot path (every N events) and `stop()` samples once more.
 */
export class RssPeak {
  #peak = process.memoryUsage.rss();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 10) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.#peak) this.#peak = rss;
  }

  /** Peak in bytes. */
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.#peak;
  }
}

export interface Timed<T> {
  readonly value: T;
  readonly ms: number;
  /** Peak RSS during the step, bytes. */
  readonly rss: number;
}

export async function timed<T>(step: (rss: RssPeak) => Promise<T> | T): Promise<Timed<T>> {
  const rss = new RssPeak();
  const t0 = performance.now();
  try {
    const value = await step(rss);
    return { value, ms: performance.now() - t0, rss: rss.stop() };
  } finally {
    rss.stop();
  }
}

let gcFn: (() => void) | undefined;

/**
 * A full garbage collection, so one figure's RSS does not carry the previous one's garbage.
 * `--expose-gc` cannot be put on the npm script's node line portably, so it is set at run
 * time and `gc` taken from a fresh context.
 */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** Flushes dirty pages so that writeback of one step does not run during the next. */
export async function settle(): Promise<void> {
  await execOk('sync', []);
}

/**
 * With $MKIMAGE_BENCH_PROFILE_DIR set, runs `step` under the V8 CPU profiler and writes
 * `<dir>/<name>.cpuprofile` (open it in Chrome DevTools, or summarise it with
 * `node --import tsx bench/profile.ts FILE`); otherwise just runs it.
 */
export async function profiled<T>(name: string, step: () => Promise<T>): Promise<T> {
  const dir = process.env.MKIMAGE_BENCH_PROFILE_DIR;
  if (!dir) return step();
  const { Session } = await import('node:inspector/promises');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await step();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}
