// The scheduler: builds goals and what they need, in parallel up to `jobs` slots, skipping
// every target whose fingerprint is in the store and stopping rebuilds early when a rerun
// target produces the output it had before.
//
// What it does not do: load profiles, print anything, trap signals or exit. It reports
// through `emit` and returns a BuildResult; the caller owns the process.

import { close, createWriteStream, mkdirSync, open, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Emit, FailureReason, SkipReason, TargetStatus } from './events.ts';
import { hashRecordJson, recordJson } from './fingerprint.ts';
import type { TargetGraph } from './graph.ts';
import type { Digest, Fingerprint, TargetId } from './ids.ts';
import { InputHasher, MissingInput } from './inputs.ts';
import { buildRecord, reasonsToRun } from './record.ts';
import { emptyState, STATE_VERSION, type BuildState, type TargetState } from './state.ts';
import { progressThrottle } from './progress-throttle.ts';
import type { ArtifactStore } from './store.ts';
import { RecipeFailure, type RecipeContext, type TargetSpec } from './target.ts';

export interface BuildOptions {
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly store: ArtifactStore;
  /** Project root: declared input files are relative to it. */
  readonly root: string;
  /** Where each target's full log is kept. */
  readonly logsDir: string;
  readonly jobs: number;
  readonly keepGoing?: boolean;
  readonly alwaysMake?: boolean;
  readonly previous?: BuildState;
  /** The environment declared variables are read from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly emit: Emit;
  /** Aborting it interrupts the build: running recipes are aborted, nothing new starts. */
  readonly signal?: AbortSignal;
}

export interface Outcome {
  readonly status: TargetStatus;
  readonly digest?: Digest;
  readonly durationMs?: number;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly outcomes: ReadonlyMap<TargetId, Outcome>;
  /** To keep for the next build (fingerprints for explain, durations, stat cache). */
  readonly state: BuildState;
  /** False when the state is the previous one unchanged (a no-op need not write it). */
  readonly stateChanged: boolean;
}

const TAIL_LINES = 20;

interface Runnable {
  readonly id: TargetId;
  readonly spec: TargetSpec;
  readonly fingerprint: Fingerprint;
  /** Its fingerprint record, for the action cache: as JSON, a fraction of the objects' size while it waits. */
  readonly record: string;
  readonly files: readonly string[];
  readonly reasons: readonly string[];
  readonly priority: number;
  readonly weight: number;
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  return new Build(options).run();
}

class Build {
  private readonly started = Date.now();
  private readonly ids: TargetId[];
  private readonly previous: BuildState;
  private readonly hasher: InputHasher;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly outcomes = new Map<TargetId, Outcome>();
  private readonly waitingOn = new Map<TargetId, number>();
  private readonly priority = new Map<TargetId, number>();
  private readonly toolVersions = new Map<string, string>();
  private readonly toolErrors = new Map<string, string>();
  /** What changed since the previous build's state (a no-op leaves it empty). */
  private readonly nextTargets: Record<string, TargetState> = {};
  /** Prerequisites' output digests, for fingerprint records. */
  private readonly depDigests = { get: (id: TargetId) => this.outcomes.get(id)?.digest };
  /** Ready to run, highest priority first. */
  private readonly queue: Runnable[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Fingerprints being built now: a target with the same one waits for it, then hits the cache. */
  private readonly inflight = new Map<Fingerprint, Promise<void>>();
  private readonly abort = new AbortController();
  private slotsUsed = 0;
  private twinsWaiting = 0;
  private stateChanged = false;
  private stopping = false;
  private failed = false;
  private finish!: () => void;

  constructor(private readonly o: BuildOptions) {
    this.ids = o.graph.closure(o.goals);
    this.previous = o.previous ?? emptyState();
    this.hasher = new InputHasher(o.root, this.previous.stat);
    this.env = o.env ?? {};
  }

  async run(): Promise<BuildResult> {
    const { graph, signal } = this.o;
    const onAbort = () => this.interrupt();
    if (signal?.aborted) this.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.o.emit({ type: 'build-started', time: Date.now(), targets: this.ids, jobs: this.o.jobs });
    mkdirSync(this.o.logsDir, { recursive: true });
    try {
      await this.resolveTools();
      this.computePriorities();
      const done = new Promise<void>((resolve) => (this.finish = resolve));
      const ready: TargetId[] = [];
      for (const id of this.ids) {
        const n = graph.graph.inDegree(id);
        this.waitingOn.set(id, n);
        if (n === 0) ready.push(id);
      }
      this.evaluate(ready);
      this.pump();
      await done;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return this.result();
  }

  private interrupt(): void {
    this.stopping = true;
    this.abort.abort(new Error('build interrupted'));
    this.pump();
  }

  /** Tool versions are asked once per distinct probe, before anything is fingerprinted. */
  private async resolveTools(): Promise<void> {
    const probes = new Map<() => Promise<string>, Promise<string>>();
    const pending: Promise<void>[] = [];
    for (const id of this.ids) {
      const spec = this.o.graph.spec(id);
      for (const [name, probe] of Object.entries(spec.tools)) {
        let version = probes.get(probe);
        if (!version) probes.set(probe, (version = probe()));
        const key = `${id}\0${name}`;
        pending.push(
          version.then(
            (v) => void this.toolVersions.set(key, v),
            (e: unknown) => void this.toolErrors.set(key, `${name}: ${e instanceof Error ? e.message : String(e)}`),
          ),
        );
      }
    }
    await Promise.all(pending);
  }

  /** Longest path to a goal, weighted by last known durations: the critical path goes first. */
  private computePriorities(): void {
    const g = this.o.graph.graph;
    const inBuild = new Set<string>(this.ids);
    const order = this.o.graph.topological(this.ids);
    for (let i = order.length - 1; i >= 0; i--) {
      const id = order[i]!;
      let below = 0;
      g.forEachOutNeighbor(id, (n) => {
        if (inBuild.has(n)) below = Math.max(below, this.priority.get(n as TargetId) ?? 0);
      });
      this.priority.set(id, (this.previous.targets[id]?.durationMs ?? 1) + below);
    }
  }

  /** Decides, synchronously, each ready target: cached, skipped, or queued to run. */
  private evaluate(ready: TargetId[]): void {
    const { graph, store } = this.o;
    while (ready.length > 0) {
      const id = ready.pop()!;
      const spec = graph.spec(id);
      const broken = spec.deps.find((d) => {
        const s = this.outcomes.get(d.id)?.status;
        return s !== 'cached' && s !== 'succeeded';
      });
      if (broken && this.outcomes.get(broken.id)?.status !== 'aborted') {
        this.skip(id, 'prerequisite-failed', broken.id);
        ready.push(...this.release(id));
        continue;
      }
      if (this.stopping || broken) {
        this.skip(id, this.o.signal?.aborted ? 'interrupted' : 'build-stopped');
        continue;
      }
      let toolError: string | undefined;
      for (const name in spec.tools) if ((toolError = this.toolErrors.get(`${id}\0${name}`))) break;
      if (toolError) {
        this.fail(id, { reason: 'tool-missing', message: toolError, hint: 'is the tool installed?' });
        ready.push(...this.release(id));
        continue;
      }
      let built;
      try {
        built = buildRecord({
          spec,
          depDigests: this.depDigests,
          hasher: this.hasher,
          toolVersions: this.toolVersions,
          env: this.env,
        });
      } catch (e) {
        if (!(e instanceof MissingInput)) throw e;
        this.fail(id, { reason: 'input-missing', message: e.message, ...(spec.at && { hint: `declared at ${spec.at.file}:${spec.at.line}` }) });
        ready.push(...this.release(id));
        continue;
      }
      const record = recordJson(built.record);
      const fingerprint = hashRecordJson(record);
      const hit = this.o.alwaysMake ? undefined : store.getAction(fingerprint);
      if (hit) {
        store.touch(hit.digest);
        this.keep(id, fingerprint, hit.digest, this.previous.targets[id]?.durationMs ?? hit.durationMs);
        this.outcomes.set(id, { status: 'cached', digest: hit.digest });
        this.o.emit({ type: 'cached', target: id, time: Date.now(), digest: hit.digest });
        ready.push(...this.release(id));
        continue;
      }
      const twin = this.inflight.get(fingerprint);
      if (twin) {
        // Same work as a target running now: wait for it without taking a job slot.
        this.outcomes.set(id, { status: 'queued' });
        this.o.emit({ type: 'queued', target: id, time: Date.now() });
        this.twinsWaiting++;
        void twin.then(() => {
          this.twinsWaiting--;
          this.evaluate([id]);
          this.pump();
        });
        continue;
      }
      this.enqueue({
        id,
        spec,
        fingerprint,
        record,
        files: built.files.map((f) => f.abs),
        reasons: this.o.alwaysMake ? ['-B/--always-make'] : reasonsToRun(this.previous.targets[id], { fingerprint, record: built.record }, store),
        priority: this.priority.get(id) ?? 0,
        weight: spec.weight === 'all' ? this.o.jobs : Math.max(0, Math.min(spec.weight, this.o.jobs)),
      });
    }
  }

  private enqueue(r: Runnable): void {
    this.outcomes.set(r.id, { status: 'queued' });
    this.o.emit({ type: 'queued', target: r.id, time: Date.now() });
    // Binary search: the queue stays sorted by priority, highest first.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.priority >= r.priority) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, r);
  }

  /** Starts queued targets while slots are free; ends the build when nothing is left. */
  private pump(): void {
    if (this.stopping) {
      for (const r of this.queue.splice(0)) this.skip(r.id, this.o.signal?.aborted ? 'interrupted' : 'build-stopped');
    }
    for (let i = 0; i < this.queue.length; ) {
      const r = this.queue[i]!;
      // The highest-priority target that fits; a heavy one still starts on an idle machine.
      if (this.slotsUsed + r.weight <= this.o.jobs || this.slotsUsed === 0) {
        this.queue.splice(i, 1);
        this.start(r);
      } else {
        i++;
      }
    }
    if (this.running.size === 0 && this.queue.length === 0 && this.twinsWaiting === 0) {
      for (const id of this.ids) if (!this.outcomes.has(id)) this.skip(id, this.o.signal?.aborted ? 'interrupted' : 'build-stopped');
      this.finish?.();
    }
  }

  private start(r: Runnable): void {
    this.slotsUsed += r.weight;
    this.outcomes.set(r.id, { status: 'running' });
    let settled!: () => void;
    this.inflight.set(r.fingerprint, new Promise<void>((resolve) => (settled = resolve)));
    const job = this.runRecipe(r)
      .catch((e: unknown) => {
        // A bug in the engine or the store, not an expected failure: report it on the target.
        this.fail(r.id, { reason: 'recipe-failed', message: `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
      })
      .finally(() => {
        this.slotsUsed -= r.weight;
        this.running.delete(job);
        this.inflight.delete(r.fingerprint);
        const next = this.release(r.id);
        this.evaluate(next);
        settled();
        this.pump();
      });
    this.running.add(job);
  }

  private async runRecipe(r: Runnable): Promise<void> {
    const { store } = this.o;
    const unlock = await store.lock(`action-${r.fingerprint}`, this.abort.signal).catch(() => undefined);
    if (!unlock) return this.endAborted(r.id, Date.now());
    try {
      // Another process may have built it while we waited for the lock.
      const hit = this.o.alwaysMake ? undefined : store.getAction(r.fingerprint);
      if (hit) {
        this.keep(r.id, r.fingerprint, hit.digest, hit.durationMs);
        this.outcomes.set(r.id, { status: 'cached', digest: hit.digest });
        this.o.emit({ type: 'cached', target: r.id, time: Date.now(), digest: hit.digest });
        return;
      }
      if (this.abort.signal.aborted) return this.endAborted(r.id, Date.now());
      await this.execute(r);
    } finally {
      await unlock();
    }
  }

  private async execute(r: Runnable): Promise<void> {
    const { store, emit } = this.o;
    const scratch = await store.scratch(r.id);
    const out = join(scratch.dir, 'out');
    const tmp = join(scratch.dir, 'tmp');
    await Promise.all([mkdir(out), mkdir(tmp)]);
    const logPath = join(this.o.logsDir, `${r.id.replaceAll('/', '__')}.log`);
    const log = await TargetLog.open(logPath);
    const tail: string[] = [];
    const t0 = Date.now();
    emit({ type: 'started', target: r.id, time: t0, reasons: r.reasons, logPath });
    try {
      const progress = progressThrottle((p, time) => emit({ type: 'progress', target: r.id, time, ...p }));
      const ctx = this.context(r, out, tmp, (stream, text) => {
        log.write(text);
        appendTail(tail, text);
        emit({ type: 'output', target: r.id, time: Date.now(), stream, text });
      }, progress.report);
      try {
        try {
          await r.spec.run(ctx);
        } finally {
          // No progress report may follow the target's last event.
          progress.dispose();
        }
        if (this.abort.signal.aborted) throw this.abort.signal.reason;
      } catch (e) {
        const durationMs = Date.now() - t0;
        if (this.abort.signal.aborted) return this.endAborted(r.id, t0);
        const failure = e instanceof RecipeFailure ? e : undefined;
        this.fail(r.id, {
          reason: 'recipe-failed',
          message: e instanceof Error ? (failure ? e.message : e.stack ?? e.message) : String(e),
          ...(failure?.details.exitCode !== undefined && { exitCode: failure.details.exitCode }),
          ...(failure?.details.hint && { hint: failure.details.hint }),
          tail: tail.filter(Boolean),
          logPath,
          durationMs,
        });
        return;
      }
      const changed = this.hasher.changedSince(r.files);
      if (changed !== undefined) {
        this.fail(r.id, {
          reason: 'input-changed',
          message: `${changed} changed while the recipe ran; its output is not stored`,
          hint: 'build again (watch mode does)',
          tail: tail.filter(Boolean),
          logPath,
          durationMs: Date.now() - t0,
        });
        return;
      }
      let stored;
      try {
        stored = await store.put(out);
      } catch (e) {
        this.fail(r.id, {
          reason: 'output-unstorable',
          message: e instanceof Error ? e.message : String(e),
          tail: tail.filter(Boolean),
          logPath,
          durationMs: Date.now() - t0,
        });
        return;
      }
      const durationMs = Date.now() - t0;
      store.putAction(r.fingerprint, { digest: stored.digest, target: r.id, durationMs, createdAt: Date.now(), record: r.record });
      const unchanged = this.previous.targets[r.id]?.digest === stored.digest;
      this.keep(r.id, r.fingerprint, stored.digest, durationMs);
      this.outcomes.set(r.id, { status: 'succeeded', digest: stored.digest, durationMs });
      emit({ type: 'succeeded', target: r.id, time: Date.now(), digest: stored.digest, durationMs, unchanged });
    } finally {
      await log.close();
      await scratch.dispose();
    }
  }

  private context(
    r: Runnable,
    out: string,
    tmp: string,
    output: RecipeContext['output'],
    progress: RecipeContext['progress'],
  ): RecipeContext {
    const deps: Record<string, string> = {};
    for (const d of r.spec.deps) deps[d.as ?? d.id] = this.o.store.readPath(this.outcomes.get(d.id)!.digest!);
    const env: Record<string, string> = {};
    for (const name of r.spec.inputs.env) {
      const v = this.env[name];
      if (v !== undefined) env[name] = v;
    }
    return {
      id: r.id,
      out,
      tmp,
      deps,
      files: r.files,
      values: r.spec.inputs.values,
      env,
      root: this.o.root,
      signal: this.abort.signal,
      output,
      progress,
    };
  }

  private keep(id: TargetId, fingerprint: Fingerprint, digest: Digest, durationMs?: number) {
    const before = this.previous.targets[id];
    if (before && before.fingerprint === fingerprint && before.digest === digest && before.durationMs === durationMs) return;
    this.stateChanged = true;
    this.nextTargets[id] = { fingerprint, digest, ...(durationMs !== undefined && { durationMs }) };
  }

  /** Counts down the dependents' prerequisites; returns those now ready. */
  private release(id: TargetId): TargetId[] {
    const ready: TargetId[] = [];
    this.o.graph.graph.forEachOutNeighbor(id, (n) => {
      const left = this.waitingOn.get(n as TargetId);
      if (left === undefined) return; // not in this build
      this.waitingOn.set(n as TargetId, left - 1);
      if (left === 1) ready.push(n as TargetId);
    });
    return ready;
  }

  private skip(id: TargetId, reason: SkipReason, cause?: TargetId): void {
    if (this.outcomes.get(id)?.status === 'skipped') return;
    this.outcomes.set(id, { status: 'skipped' });
    this.o.emit({ type: 'skipped', target: id, time: Date.now(), reason, ...(cause && { cause }) });
  }

  private fail(
    id: TargetId,
    f: { reason: FailureReason; message: string; exitCode?: number; hint?: string; tail?: string[]; logPath?: string; durationMs?: number },
  ): void {
    this.failed = true;
    this.outcomes.set(id, { status: 'failed', ...(f.durationMs !== undefined && { durationMs: f.durationMs }) });
    this.o.emit({ type: 'failed', target: id, time: Date.now(), tail: [], durationMs: 0, ...f });
    if (!this.o.keepGoing) this.stopping = true;
  }

  private endAborted(id: TargetId, t0: number): void {
    this.outcomes.set(id, { status: 'aborted' });
    this.o.emit({ type: 'aborted', target: id, time: Date.now(), durationMs: Date.now() - t0 });
  }

  private result(): BuildResult {
    const counts = { cached: 0, succeeded: 0, failed: 0, skipped: 0, aborted: 0 };
    for (const o of this.outcomes.values()) {
      if (o.status in counts) counts[o.status as keyof typeof counts]++;
    }
    const interrupted = this.abort.signal.aborted;
    const ok = !this.failed && !interrupted && counts.skipped === 0;
    this.o.emit({ type: 'build-finished', time: Date.now(), ok, interrupted, durationMs: Date.now() - this.started, counts });
    const stateChanged = this.stateChanged || this.hasher.hashedAny;
    // Targets outside this build keep what the previous build knew of them.
    const state: BuildState = stateChanged
      ? {
          version: STATE_VERSION,
          targets: { ...this.previous.targets, ...this.nextTargets },
          stat: { ...this.previous.stat, ...this.hasher.snapshot() },
        }
      : this.previous;
    return { ok, interrupted, outcomes: this.outcomes, state, stateChanged };
  }
}

function appendTail(tail: string[], text: string): void {
  const lines = text.split('\n');
  if (tail.length > 0 && lines.length > 0) tail[tail.length - 1] += lines.shift()!;
  tail.push(...lines);
  if (tail.length > TAIL_LINES + 1) tail.splice(0, tail.length - TAIL_LINES - 1);
}

/**
 * A target's full log. Most recipes print nothing, so the file is created empty (no stale log
 * of an earlier run may stay) and a stream, with its buffers and callbacks, is opened only for
 * a recipe that prints.
 */
class TargetLog {
  private stream: WriteStream | undefined;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
  ) {}

  /** Off the main thread, as a stream would: creating 10,000 files is slow on some filesystems. */
  static async open(path: string): Promise<TargetLog> {
    return new TargetLog(path, await openFile(path, 'w'));
  }

  write(text: string): void {
    (this.stream ??= createWriteStream(this.path, { fd: this.fd })).write(text);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    else await closeFile(this.fd);
  }
}

const openFile = promisify(open);
const closeFile = promisify(close);
