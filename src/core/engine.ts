// The scheduler: builds goals and what they need, in parallel up to `jobs` slots, skipping
// every target whose fingerprint is in the store and stopping rebuilds early when a rerun
// target produces the output it had before. Each target, once its prerequisites are done, is
// decided (decide.ts: the dry run's decision too) and, if it must run, queued by priority and
// run (execute.ts) when a slot is free.
//
// What it does not do: load profiles, print anything, trap signals or exit. It reports
// through `emit` and returns a BuildResult; the caller owns the process.

import { mkdirSync } from 'node:fs';
import { decide } from './decide.ts';
import type { Emit, SkipReason, TargetStatus } from './events.ts';
import { execute, type Failure, type Job, type JobEnd, type Workshop } from './execute.ts';
import type { TargetGraph } from './graph.ts';
import type { Digest, Fingerprint, TargetId } from './ids.ts';
import { InputHasher } from './inputs.ts';
import { priorities } from './priority.ts';
import { emptyState, STATE_VERSION, type BuildState, type LastRun, type TargetState } from './state.ts';
import type { ArtifactStore } from './store.ts';
import { ToolVersions } from './tool-versions.ts';

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

interface Queued extends Job {
  readonly priority: number;
  readonly weight: number;
}

/** The slots a target takes from the queue (0 for a light one) and those its recipe may use (at least 1). */
function slotsOf(weight: number | 'all', jobs: number): { weight: number; slots: number } {
  const w = weight === 'all' ? jobs : Math.max(0, Math.min(weight, jobs));
  return { weight: w, slots: Math.max(1, w) };
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  return new Build(options).run();
}

class Build {
  private readonly started = Date.now();
  private readonly ids: TargetId[];
  private readonly previous: BuildState;
  private readonly hasher: InputHasher;
  private readonly outcomes = new Map<TargetId, Outcome>();
  /** For each target skipped because a prerequisite failed: the target whose failure it was. */
  private readonly failedFor = new Map<TargetId, TargetId>();
  private readonly waitingOn = new Map<TargetId, number>();
  /** The recipes that ran in this build, for `why` after it. */
  private readonly runs: Record<string, LastRun> = {};
  private priority = new Map<TargetId, number>();
  private tools!: ToolVersions;
  /** What changed since the previous build's state (a no-op leaves it empty). */
  private readonly nextTargets: Record<string, TargetState> = {};
  /** Prerequisites' output digests, for fingerprint records. */
  private readonly depDigests = { get: (id: TargetId) => this.outcomes.get(id)?.digest };
  /** Ready to run, highest priority first. */
  private readonly queue: Queued[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Fingerprints being built now: a target with the same one waits for it, then hits the cache. */
  private readonly inflight = new Map<Fingerprint, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly workshop: Workshop;
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
    this.workshop = {
      store: o.store,
      logsDir: o.logsDir,
      root: o.root,
      env: o.env ?? {},
      hasher: this.hasher,
      alwaysMake: o.alwaysMake ?? false,
      signal: this.abort.signal,
      emit: o.emit,
    };
  }

  async run(): Promise<BuildResult> {
    const { graph, signal } = this.o;
    const onAbort = () => this.interrupt();
    if (signal?.aborted) this.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.o.emit({ type: 'build-started', time: Date.now(), targets: this.ids, jobs: this.o.jobs });
    mkdirSync(this.o.logsDir, { recursive: true });
    try {
      this.tools = await ToolVersions.ask(this.ids.map((id) => graph.spec(id)));
      this.priority = priorities(graph, this.ids, this.previous);
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

  /** Decides, synchronously, each ready target: skipped, failed, cached, or queued to run. */
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
        // A prerequisite skipped in turn passes on its own cause: "c skipped (a failed)", not "(b failed)".
        const cause = this.failedFor.get(broken.id) ?? broken.id;
        this.failedFor.set(id, cause);
        this.skip(id, 'prerequisite-failed', cause);
        ready.push(...this.release(id));
        continue;
      }
      if (this.stopping || broken) {
        this.skip(id, this.stopReason());
        continue;
      }
      const d = decide({
        spec,
        depDigests: this.depDigests,
        hasher: this.hasher,
        tools: this.tools,
        env: this.workshop.env,
        store,
        alwaysMake: this.workshop.alwaysMake,
        previous: this.previous.targets[id],
      });
      switch (d.kind) {
        case 'wait':
          throw new Error(`${id} was decided before its prerequisites ${d.pending.join(', ')}`);
        case 'fail':
          this.fail(id, { reason: d.reason, message: d.message, ...(d.hint && { hint: d.hint }) });
          ready.push(...this.release(id));
          continue;
        case 'cached':
          store.touch(d.digest);
          this.cached(id, d.fingerprint, d.digest, this.previous.targets[id]?.durationMs ?? d.durationMs);
          ready.push(...this.release(id));
          continue;
        case 'run': {
          const twin = this.inflight.get(d.fingerprint);
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
            fingerprint: d.fingerprint,
            record: d.record,
            read: d.read,
            reasons: d.reasons,
            priority: this.priority.get(id) ?? 0,
            ...slotsOf(spec.weight, this.o.jobs),
          });
        }
      }
    }
  }

  private enqueue(r: Queued): void {
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
      for (const r of this.queue.splice(0)) this.skip(r.id, this.stopReason());
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
      for (const id of this.ids) if (!this.outcomes.has(id)) this.skip(id, this.stopReason());
      this.finish?.();
    }
  }

  private start(r: Queued): void {
    this.slotsUsed += r.weight;
    this.outcomes.set(r.id, { status: 'running' });
    let settled!: () => void;
    this.inflight.set(r.fingerprint, new Promise<void>((resolve) => (settled = resolve)));
    const deps: Record<string, Digest> = {};
    for (const d of r.spec.deps) deps[d.as ?? d.id] = this.outcomes.get(d.id)!.digest!;
    const job = execute(r, deps, this.workshop)
      .then((end) => this.ended(r, end))
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

  private ended(r: Queued, end: JobEnd): void {
    switch (end.kind) {
      case 'cached':
        return this.cached(r.id, r.fingerprint, end.digest, end.durationMs);
      case 'succeeded': {
        const unchanged = this.previous.targets[r.id]?.digest === end.digest;
        this.keep(r.id, r.fingerprint, end.digest, end.durationMs);
        this.ran(r, 'succeeded', end.durationMs, unchanged);
        this.outcomes.set(r.id, { status: 'succeeded', digest: end.digest, durationMs: end.durationMs });
        this.o.emit({ type: 'succeeded', target: r.id, time: Date.now(), digest: end.digest, durationMs: end.durationMs, unchanged });
        return;
      }
      case 'failed':
        this.ran(r, 'failed', end.failure.durationMs ?? 0);
        return this.fail(r.id, end.failure);
      case 'aborted':
        this.ran(r, 'aborted', end.durationMs);
        this.outcomes.set(r.id, { status: 'aborted' });
        this.o.emit({ type: 'aborted', target: r.id, time: Date.now(), durationMs: end.durationMs });
    }
  }

  private ran(r: Queued, outcome: LastRun['outcome'], durationMs: number, unchanged?: boolean): void {
    this.stateChanged = true;
    this.runs[r.id] = { at: Date.now(), outcome, reasons: r.reasons, durationMs, ...(unchanged && { unchanged }) };
  }

  private cached(id: TargetId, fingerprint: Fingerprint, digest: Digest, durationMs: number): void {
    this.keep(id, fingerprint, digest, durationMs);
    this.outcomes.set(id, { status: 'cached', digest });
    this.o.emit({ type: 'cached', target: id, time: Date.now(), digest });
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

  private stopReason(): SkipReason {
    return this.o.signal?.aborted ? 'interrupted' : 'build-stopped';
  }

  private skip(id: TargetId, reason: SkipReason, cause?: TargetId): void {
    if (this.outcomes.get(id)?.status === 'skipped') return;
    this.outcomes.set(id, { status: 'skipped' });
    this.o.emit({ type: 'skipped', target: id, time: Date.now(), reason, ...(cause && { cause }) });
  }

  private fail(id: TargetId, f: Failure): void {
    this.failed = true;
    this.outcomes.set(id, { status: 'failed', ...(f.durationMs !== undefined && { durationMs: f.durationMs }) });
    this.o.emit({ type: 'failed', target: id, time: Date.now(), durationMs: 0, ...f, tail: f.tail ?? [] });
    if (!this.o.keepGoing) this.stopping = true;
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
          // The last build that ran a recipe: one that only rehashed inputs keeps the one before.
          ...(Object.keys(this.runs).length > 0 ? { started: this.started } : this.previous.started !== undefined && { started: this.previous.started }),
          targets: { ...this.previous.targets, ...this.nextTargets },
          stat: { ...this.previous.stat, ...this.hasher.snapshot() },
          runs: { ...this.previous.runs, ...this.runs },
        }
      : this.previous;
    return { ok, interrupted, outcomes: this.outcomes, state, stateChanged };
  }
}
