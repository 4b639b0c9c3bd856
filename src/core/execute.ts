// Runs one target's recipe, as a short list of steps: take the fingerprint's lock (another
// process may be building the same), look in the store again, run the recipe in a scratch
// directory with its output streamed to its log, check that no input changed meanwhile, and
// store the output under the fingerprint. The end is a value; the scheduler (engine.ts)
// records it and tells the dependents.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Emit, FailureReason } from './events.ts';
import type { Digest, Fingerprint, TargetId } from './ids.ts';
import type { InputHasher, ReadInputs } from './inputs.ts';
import { OutputTail } from './output-tail.ts';
import { progressThrottle } from './progress-throttle.ts';
import type { ArtifactStore } from './store.ts';
import { RecipeFailure, type RecipeContext, type TargetSpec } from './target.ts';
import { TargetLog } from './target-log.ts';

/** A target decided to run (decide.ts), waiting for a job slot. */
export interface Job {
  readonly id: TargetId;
  readonly spec: TargetSpec;
  readonly fingerprint: Fingerprint;
  /** The fingerprint record as JSON, kept beside the output in the action cache. */
  readonly record: string;
  readonly read: ReadInputs;
  readonly reasons: readonly string[];
  /** The job slots it holds while it runs (RecipeContext.slots). */
  readonly slots: number;
}

export interface Failure {
  readonly reason: FailureReason;
  readonly message: string;
  readonly exitCode?: number;
  readonly hint?: string;
  readonly tail?: readonly string[];
  readonly logPath?: string;
  readonly durationMs?: number;
}

export type JobEnd =
  /** Another process stored it while we waited for the lock. */
  | { readonly kind: 'cached'; readonly digest: Digest; readonly durationMs: number }
  | { readonly kind: 'succeeded'; readonly digest: Digest; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly failure: Failure }
  | { readonly kind: 'aborted'; readonly durationMs: number };

export interface Workshop {
  readonly store: ArtifactStore;
  readonly logsDir: string;
  readonly root: string;
  /** The environment declared variables are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hasher: InputHasher;
  readonly alwaysMake: boolean;
  /** The build's: aborted on an interrupt or when the build stops. */
  readonly signal: AbortSignal;
  readonly emit: Emit;
}

/** Lines of a failed recipe's output that its failure shows. */
const TAIL_LINES = 20;

/** `deps`: the prerequisites' outputs, by the name the recipe sees them under. */
export async function execute(job: Job, deps: Readonly<Record<string, Digest>>, w: Workshop): Promise<JobEnd> {
  const t0 = Date.now();
  const unlock = await w.store.lock(`action-${job.fingerprint}`, w.signal).catch(() => undefined);
  if (!unlock) return { kind: 'aborted', durationMs: Date.now() - t0 };
  try {
    const hit = w.alwaysMake ? undefined : w.store.getAction(job.fingerprint);
    if (hit) return { kind: 'cached', digest: hit.digest, durationMs: hit.durationMs };
    if (w.signal.aborted) return { kind: 'aborted', durationMs: Date.now() - t0 };
    return await runRecipe(job, await readPaths(deps, w.store), w);
  } finally {
    await unlock();
  }
}

async function runRecipe(job: Job, deps: Readonly<Record<string, string>>, w: Workshop): Promise<JobEnd> {
  const scratch = await w.store.scratch(job.id);
  const out = join(scratch.dir, 'out');
  const tmp = join(scratch.dir, 'tmp');
  await Promise.all([mkdir(out), mkdir(tmp)]);
  const log = await TargetLog.open(w.logsDir, job.id);
  const tail = new OutputTail(TAIL_LINES);
  const t0 = Date.now();
  w.emit({ type: 'started', target: job.id, time: t0, reasons: job.reasons, logPath: log.path });
  const failed = (f: Omit<Failure, 'tail' | 'logPath' | 'durationMs'>): JobEnd => ({
    kind: 'failed',
    failure: { ...f, tail: tail.last(), logPath: log.path, durationMs: Date.now() - t0 },
  });
  try {
    const progress = progressThrottle((p, time) => w.emit({ type: 'progress', target: job.id, time, ...p }));
    const output: RecipeContext['output'] = (stream, text) => {
      log.write(text);
      tail.push(text);
      w.emit({ type: 'output', target: job.id, time: Date.now(), stream, text });
    };
    const warn: RecipeContext['warn'] = (message) => {
      log.write(`mkimage: warning: ${message}\n`);
      w.emit({ type: 'warning', target: job.id, time: Date.now(), message });
    };
    try {
      try {
        await job.spec.run(context(job, { out, tmp, deps, output, warn, progress: progress.report }, w));
      } finally {
        // No progress report may follow the target's last event.
        progress.dispose();
      }
      if (w.signal.aborted) throw w.signal.reason;
    } catch (e) {
      if (w.signal.aborted) return { kind: 'aborted', durationMs: Date.now() - t0 };
      const failure = e instanceof RecipeFailure ? e : undefined;
      return failed({
        reason: 'recipe-failed',
        message: e instanceof Error ? (failure ? e.message : e.stack ?? e.message) : String(e),
        ...(failure?.details.exitCode !== undefined && { exitCode: failure.details.exitCode }),
        ...(failure?.details.hint && { hint: failure.details.hint }),
      });
    }
    const changed = w.hasher.changedSince(job.read);
    if (changed !== undefined) {
      return failed({ reason: 'input-changed', message: `${changed} changed while the recipe ran; its output is not stored`, hint: 'build again (watch mode does)' });
    }
    let digest: Digest;
    try {
      digest = (await w.store.put(out)).digest;
    } catch (e) {
      return failed({ reason: 'output-unstorable', message: e instanceof Error ? e.message : String(e) });
    }
    const durationMs = Date.now() - t0;
    w.store.putAction(job.fingerprint, { digest, target: job.id, durationMs, createdAt: Date.now(), record: job.record });
    return { kind: 'succeeded', digest, durationMs };
  } finally {
    await log.close();
    await scratch.dispose();
  }
}

async function readPaths(deps: Readonly<Record<string, Digest>>, store: ArtifactStore): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.entries(deps).map(async ([name, digest]) => [name, await store.readPath(digest)] as const));
  return Object.fromEntries(entries);
}

function context(
  job: Job,
  dirs: Pick<RecipeContext, 'out' | 'tmp' | 'deps' | 'output' | 'warn' | 'progress'>,
  w: Workshop,
): RecipeContext {
  const env: Record<string, string> = {};
  for (const name of job.spec.inputs.env) {
    const v = w.env[name];
    if (v !== undefined) env[name] = v;
  }
  return {
    id: job.id,
    ...dirs,
    files: job.read.files,
    values: job.spec.inputs.values,
    env,
    root: w.root,
    signal: w.signal,
    slots: job.slots,
  };
}
