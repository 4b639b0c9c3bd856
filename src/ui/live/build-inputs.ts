// What the live UI needs from the core before a build, taken from the CLI's TargetGraph and
// the previous BuildState: the targets with their prerequisites, and how long each took.

import type { TargetGraph } from '../../core/graph.ts';
import type { TargetId } from '../../core/ids.ts';
import type { BuildState } from '../../core/state.ts';
import type { LiveNode } from './graph-layers.ts';

/** The targets (all of the graph, or `ids`) with their prerequisites. */
export function liveNodes(graph: TargetGraph, ids: readonly TargetId[] = graph.ids()): LiveNode[] {
  return ids.map((id) => ({ id, deps: graph.spec(id).deps.map((d) => d.id) }));
}

/** Each target's duration in the build that last ran it: the ETA's basis. */
export function expectedDurations(state: BuildState): Map<TargetId, number> {
  const out = new Map<TargetId, number>();
  for (const [id, t] of Object.entries(state.targets)) if (t.durationMs !== undefined) out.set(id as TargetId, t.durationMs);
  return out;
}
