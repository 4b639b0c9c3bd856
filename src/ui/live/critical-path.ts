// The longest chain of the graph by time: with unlimited job slots, a build takes as long as
// its critical path. The summary weighs it with this build's durations, the ETA with what is
// left of each unfinished target.

import type { TargetId } from '../../core/ids.ts';

export interface Chain {
  readonly ms: number;
  /** Prerequisites first. */
  readonly path: readonly TargetId[];
}

/**
 * `order` is topological (prerequisites first); `deps` gives a target's prerequisites and
 * `weight` its time. Prerequisites missing from `order` are ignored.
 */
export function longestChain(
  order: readonly TargetId[],
  deps: (id: TargetId) => readonly TargetId[],
  weight: (id: TargetId) => number,
): Chain {
  const best = new Map<TargetId, { ms: number; via?: TargetId }>();
  let end: TargetId | undefined;
  let endMs = -1;
  for (const id of order) {
    let ms = 0;
    let via: TargetId | undefined;
    for (const d of deps(id)) {
      const b = best.get(d);
      if (b && b.ms > ms) {
        ms = b.ms;
        via = d;
      }
    }
    ms += Math.max(0, weight(id));
    best.set(id, via === undefined ? { ms } : { ms, via });
    if (ms > endMs) {
      endMs = ms;
      end = id;
    }
  }
  const path: TargetId[] = [];
  for (let at = end; at !== undefined; at = best.get(at)!.via) path.unshift(at);
  return { ms: Math.max(0, endMs), path };
}
