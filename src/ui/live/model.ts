// What the live UI knows of a build, reduced from engine events: every target's state,
// times, progress and last output lines, with counts kept as events come so that drawing
// never walks all targets for them. Applying an event is O(1) but for build-started, which
// lays the graph out once.

import { unreachable, type BuildFinished, type EngineEvent } from '../../core/events.ts';
import type { TargetId } from '../../core/ids.ts';
import { layers, placements, topological, type LiveNode } from './graph-layers.ts';
import { OutputTail } from '../../core/output-tail.ts';

/** A target's state as drawn; `done` is the engine's `succeeded`. */
export type NodeState = 'pending' | 'queued' | 'running' | 'cached' | 'done' | 'failed' | 'skipped' | 'aborted';

/** Lines of output kept per running target: more than any screen shows of one. */
const TAIL_LINES = 8;

export interface NodeView {
  readonly id: TargetId;
  readonly group: string;
  readonly label: string;
  readonly layer: number;
  readonly deps: readonly TargetId[];
  readonly dependents: TargetId[];
  /** From earlier builds, for the ETA. */
  readonly expectedMs?: number;
  state: NodeState;
  startedAt?: number;
  /** Set when it ended (done, failed, aborted). */
  durationMs?: number;
  reasons?: readonly string[];
  logPath?: string;
  progress?: { readonly fraction?: number; readonly label: string };
  /** Only while running. */
  output?: OutputTail;
  failure?: { readonly message: string; readonly hint?: string; readonly tail: readonly string[] };
  /** Why it was skipped, in words. */
  skipped?: string;
  /** Built again, with the output it had before. */
  unchanged?: boolean;
}

export interface GroupView {
  readonly name: string;
  /** Node ids by layer, in build order within a layer. */
  readonly layers: readonly (readonly TargetId[])[];
  readonly size: number;
}

export interface BuiltOutput {
  readonly path: string;
  readonly bytes: number;
}

export class LiveModel {
  readonly #deps: ReadonlyMap<TargetId, readonly TargetId[]>;
  readonly #expected: ReadonlyMap<TargetId, number>;
  nodes = new Map<TargetId, NodeView>();
  /** Prerequisites first: for the critical path and the ETA. */
  order: TargetId[] = [];
  groups: GroupView[] = [];
  counts: Record<NodeState, number> = zeroCounts();
  /** Running targets in the order they started. */
  readonly running = new Set<TargetId>();
  /** Failed targets in the order they failed. */
  failed: TargetId[] = [];
  /** What recipes warned about, in order. */
  warnings: Array<{ readonly target: TargetId; readonly message: string }> = [];
  build?: { readonly startedAt: number; readonly jobs: number; finished?: BuildFinished };
  outputs: readonly BuiltOutput[] = [];
  /** Shown in the footer while the build runs, instead of the keys. */
  note?: string;
  /** Bumped on every change: what a throttled drawer compares. */
  version = 0;

  constructor(graph: readonly LiveNode[], expectedMs: ReadonlyMap<TargetId, number> = new Map()) {
    this.#deps = new Map(graph.map((n) => [n.id, n.deps]));
    this.#expected = expectedMs;
  }

  apply(e: EngineEvent): void {
    this.version++;
    if (e.type === 'build-started') return this.#start(e.targets, e.jobs, e.time);
    if (e.type === 'build-finished') {
      if (this.build) this.build.finished = e;
      return;
    }
    const n = this.nodes.get(e.target);
    if (!n) return;
    switch (e.type) {
      case 'queued':
        return this.#set(n, 'queued');
      case 'started':
        n.startedAt = e.time;
        n.reasons = e.reasons;
        n.logPath = e.logPath;
        n.output = new OutputTail(TAIL_LINES);
        return this.#set(n, 'running');
      case 'output':
        n.output?.push(e.text);
        return;
      case 'warning':
        this.warnings.push({ target: e.target, message: e.message });
        return;
      case 'progress':
        n.progress = e.fraction === undefined ? { label: e.label } : { label: e.label, fraction: e.fraction };
        return;
      case 'cached':
        return this.#set(n, 'cached');
      case 'succeeded':
        n.durationMs = e.durationMs;
        n.unchanged = e.unchanged;
        return this.#set(n, 'done');
      case 'failed':
        n.durationMs = e.durationMs;
        if (e.logPath) n.logPath = e.logPath;
        n.failure = { message: e.message, ...(e.hint && { hint: e.hint }), tail: e.tail };
        this.failed.push(n.id);
        return this.#set(n, 'failed');
      case 'skipped':
        n.skipped = e.reason === 'prerequisite-failed' ? `${e.cause ?? 'a prerequisite'} failed` : e.reason === 'build-stopped' ? 'the build stopped' : 'interrupted';
        return this.#set(n, 'skipped');
      case 'aborted':
        n.durationMs = e.durationMs;
        return this.#set(n, 'aborted');
      default:
        unreachable(e);
    }
  }

  setOutputs(outputs: readonly BuiltOutput[]): void {
    this.version++;
    this.outputs = outputs;
  }

  /** A message from outside the engine (watch mode: an edit seen during the build). */
  setNote(note: string): void {
    this.version++;
    this.note = note;
  }

  /** Every target of the build pending; a new build (watch mode) starts over. */
  #start(targets: readonly TargetId[], jobs: number, time: number): void {
    const inBuild = new Set(targets);
    const graph: LiveNode[] = targets.map((id) => ({ id, deps: (this.#deps.get(id) ?? []).filter((d) => inBuild.has(d)) }));
    const layerOf = layers(graph);
    const place = placements(targets);
    this.nodes = new Map();
    for (const g of graph) {
      const p = place.get(g.id)!;
      const expectedMs = this.#expected.get(g.id);
      this.nodes.set(g.id, {
        id: g.id,
        group: p.group,
        label: p.label,
        layer: layerOf.get(g.id) ?? 0,
        deps: g.deps,
        dependents: [],
        ...(expectedMs !== undefined && { expectedMs }),
        state: 'pending',
      });
    }
    for (const g of graph) for (const d of g.deps) this.nodes.get(d)!.dependents.push(g.id);
    this.order = topological(graph);
    const byGroup = new Map<string, TargetId[][]>();
    for (const id of targets) {
      const n = this.nodes.get(id)!;
      let ls = byGroup.get(n.group);
      if (!ls) byGroup.set(n.group, (ls = []));
      while (ls.length <= n.layer) ls.push([]);
      ls[n.layer]!.push(id);
    }
    // Layers a group skips (its targets sit higher because of another group's) are dropped.
    this.groups = [...byGroup].map(([name, ls]) => {
      const kept = ls.filter((l) => l.length > 0);
      return { name, layers: kept, size: kept.reduce((a, l) => a + l.length, 0) };
    });
    this.counts = zeroCounts();
    this.counts.pending = this.nodes.size;
    this.running.clear();
    this.failed = [];
    this.outputs = [];
    this.build = { startedAt: time, jobs };
  }

  #set(n: NodeView, state: NodeState): void {
    this.counts[n.state]--;
    this.counts[state]++;
    if (n.state === 'running' && state !== 'running') {
      this.running.delete(n.id);
      // The log file keeps it all; the screen only showed the last lines while it ran.
      delete n.output;
      delete n.progress;
    }
    if (state === 'running') this.running.add(n.id);
    n.state = state;
  }
}

export function zeroCounts(): Record<NodeState, number> {
  return { pending: 0, queued: 0, running: 0, cached: 0, done: 0, failed: 0, skipped: 0, aborted: 0 };
}
