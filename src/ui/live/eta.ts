// How long until a running target, and the build, are done: from the durations earlier
// builds recorded, or, for a target never built before, from the share its tool reports.

import { longestChain } from './critical-path.ts';
import type { LiveModel, NodeView } from './model.ts';

/** Below this share a tool's progress says too little to extrapolate from. */
const MIN_FRACTION = 0.05;
const MIN_ELAPSED_MS = 3000;

export interface Eta {
  readonly ms: number;
  /** `history`: the last build's duration; `progress`: extrapolated from the tool's share. */
  readonly from: 'history' | 'progress';
}

/** What is left of a running target; undefined when nothing tells, or it is past its time. */
export function targetEta(n: NodeView, now: number): Eta | undefined {
  if (n.state !== 'running' || n.startedAt === undefined) return undefined;
  const elapsed = Math.max(0, now - n.startedAt);
  if (n.expectedMs !== undefined && n.expectedMs > elapsed) return { ms: n.expectedMs - elapsed, from: 'history' };
  const f = n.progress?.fraction;
  if (f !== undefined && f >= MIN_FRACTION && f < 1 && elapsed >= MIN_ELAPSED_MS) {
    return { ms: (elapsed * (1 - f)) / f, from: 'progress' };
  }
  return undefined;
}

export interface BuildEta {
  readonly ms: number;
  /** False when some target ahead has no duration on record: the build takes at least `ms`. */
  readonly complete: boolean;
}

/**
 * What is left of the build: the longest chain through the targets not done yet, each weighed
 * by what is left of it. Assumes enough job slots, so it is a lower bound on a busy machine.
 */
export function buildEta(model: LiveModel, now: number): BuildEta | undefined {
  if (!model.build || model.build.finished) return undefined;
  let complete = true;
  let any = false;
  const chain = longestChain(
    model.order,
    (id) => model.nodes.get(id)!.deps,
    (id) => {
      const n = model.nodes.get(id)!;
      if (n.state === 'running') {
        any = true;
        const eta = targetEta(n, now);
        if (!eta) complete = false;
        return eta?.ms ?? 0;
      }
      if (n.state === 'pending' || n.state === 'queued') {
        any = true;
        if (n.expectedMs === undefined) complete = false;
        return n.expectedMs ?? 0;
      }
      return 0;
    },
  );
  return any ? { ms: chain.ms, complete } : undefined;
}
