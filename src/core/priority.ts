// Which ready target a free job slot takes first: the one with the longest path of work still
// behind it to a goal, weighted by the durations of the last build, so the critical path
// starts first.

import type { TargetGraph } from './graph.ts';
import type { TargetId } from './ids.ts';
import type { BuildState } from './state.ts';

export function priorities(graph: TargetGraph, ids: readonly TargetId[], previous: BuildState): Map<TargetId, number> {
  const priority = new Map<TargetId, number>();
  const inBuild = new Set<string>(ids);
  const order = graph.topological(ids);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let below = 0;
    graph.graph.forEachOutNeighbor(id, (n) => {
      if (inBuild.has(n)) below = Math.max(below, priority.get(n as TargetId) ?? 0);
    });
    priority.set(id, (previous.targets[id]?.durationMs ?? 1) + below);
  }
  return priority;
}
