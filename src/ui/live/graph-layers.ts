// The picture's geometry: each target's layer (the longest chain of prerequisites below it,
// so everything in one layer can run side by side) and its group (the image it belongs to,
// from ids like `server-mini/squashfs` and `server-mini.iso`).

import type { TargetId } from '../../core/ids.ts';

/** A target as the live UI needs it: its prerequisites and nothing else. */
export interface LiveNode {
  readonly id: TargetId;
  readonly deps: readonly TargetId[];
}

/**
 * Prerequisites before dependents (Kahn's order). Prerequisites outside `nodes` are ignored;
 * a node on a cycle (the graph builder refuses them) comes last rather than being lost.
 */
export function topological(nodes: readonly LiveNode[]): TargetId[] {
  const index = new Map<TargetId, number>(nodes.map((n, i) => [n.id, i]));
  const left = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const d of new Set(n.deps)) {
      const j = index.get(d);
      if (j === undefined) continue;
      left[i]!++;
      dependents[j]!.push(i);
    }
  });
  const order: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (left[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const j of dependents[order[k]!]!) if (--left[j]! === 0) order.push(j);
  }
  if (order.length < nodes.length) for (let i = 0; i < nodes.length; i++) if (left[i]! > 0) order.push(i);
  return order.map((i) => nodes[i]!.id);
}

/** Longest-path layering: 0 for a target with no prerequisite, else one more than its highest. */
export function layers(nodes: readonly LiveNode[]): Map<TargetId, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layer = new Map<TargetId, number>();
  for (const id of topological(nodes)) {
    let l = 0;
    for (const d of byId.get(id)!.deps) {
      const dl = layer.get(d);
      if (dl !== undefined) l = Math.max(l, dl + 1);
    }
    layer.set(id, l);
  }
  return layer;
}

export interface Placement {
  /** The image, or '' for targets of no image. */
  readonly group: string;
  /** The name within the group: `squashfs`, `iso`; the whole id outside any. */
  readonly label: string;
}

/**
 * `<image>/<stage>` is a stage of an image; `<image>.<type>` is its goal when some stage of that
 * image is in the build too. Anything else is a target of no image.
 */
export function placements(ids: readonly TargetId[]): Map<TargetId, Placement> {
  const groups = new Set<string>();
  for (const id of ids) {
    const slash = id.indexOf('/');
    if (slash > 0) groups.add(id.slice(0, slash));
  }
  const out = new Map<TargetId, Placement>();
  for (const id of ids) {
    const slash = id.indexOf('/');
    if (slash > 0) {
      out.set(id, { group: id.slice(0, slash), label: id.slice(slash + 1) });
      continue;
    }
    const dot = id.lastIndexOf('.');
    if (dot > 0 && groups.has(id.slice(0, dot))) out.set(id, { group: id.slice(0, dot), label: id.slice(dot + 1) });
    else out.set(id, { group: '', label: id });
  }
  return out;
}
