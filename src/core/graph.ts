// The target graph: graphology nodes for targets, edges from a prerequisite to the target
// that needs it. Building it checks names and cycles; it does not look at files or the store.

import { DirectedGraph } from 'graphology';
import { hasCycle } from 'graphology-dag';
import { fail, formatLocation, ok, type Diagnostic, type Result, type SourceLocation } from './diagnostic.ts';
import type { TargetId } from './ids.ts';
import { closest } from './suggest.ts';
import type { TargetSpec } from './target.ts';

interface EdgeAttributes {
  readonly at?: SourceLocation;
}

export class TargetGraph {
  private constructor(
    readonly graph: DirectedGraph<{ spec: TargetSpec }, EdgeAttributes>,
  ) {}

  static build(specs: readonly TargetSpec[]): Result<TargetGraph> {
    const graph = new DirectedGraph<{ spec: TargetSpec }, EdgeAttributes>();
    for (const spec of specs) {
      if (graph.hasNode(spec.id)) {
        const first = graph.getNodeAttribute(spec.id, 'spec');
        return fail({
          message: `target ${spec.id} is declared twice (first at ${formatLocation(first.at) || 'unknown'})`,
          ...(spec.at && { at: spec.at }),
        });
      }
      graph.addNode(spec.id, { spec });
    }
    for (const spec of specs) {
      for (const dep of spec.deps) {
        if (!graph.hasNode(dep.id)) return fail(unknownPrerequisite(spec, dep.id, dep.at, graph.nodes()));
        if (!graph.hasEdge(dep.id, spec.id)) graph.addDirectedEdge(dep.id, spec.id, dep.at ? { at: dep.at } : {});
      }
    }
    const built = new TargetGraph(graph);
    if (hasCycle(graph)) return fail(built.describeCycle());
    return ok(built);
  }

  has(id: string): id is TargetId {
    return this.graph.hasNode(id);
  }

  spec(id: TargetId): TargetSpec {
    return this.graph.getNodeAttribute(id, 'spec');
  }

  ids(): TargetId[] {
    return this.graph.nodes() as TargetId[];
  }

  /** Targets that no other target needs: what a bare `mkimage` builds. */
  sinks(): TargetId[] {
    return this.graph.filterNodes((n) => this.graph.outDegree(n) === 0) as TargetId[];
  }

  /** The goals and everything they need, in declaration order. */
  closure(goals: readonly TargetId[]): TargetId[] {
    const seen = new Set<string>();
    const stack = [...goals];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      this.graph.forEachInNeighbor(id, (dep) => {
        if (!seen.has(dep)) stack.push(dep as TargetId);
      });
    }
    return this.graph.filterNodes((n) => seen.has(n)) as TargetId[];
  }

  /** The given targets, prerequisites before dependents (Kahn's order over the subgraph). */
  topological(ids: readonly TargetId[]): TargetId[] {
    const inSet = new Set<string>(ids);
    const left = new Map<string, number>();
    for (const id of ids) {
      let n = 0;
      this.graph.forEachInNeighbor(id, (d) => void (inSet.has(d) && n++));
      left.set(id, n);
    }
    const order = ids.filter((id) => left.get(id) === 0);
    for (let i = 0; i < order.length; i++) {
      this.graph.forEachOutNeighbor(order[i]!, (n) => {
        if (!inSet.has(n)) return;
        const k = left.get(n)! - 1;
        left.set(n, k);
        if (k === 0) order.push(n as TargetId);
      });
    }
    return order;
  }

  /** Looks a goal up; an unknown one gets a did-you-mean. */
  goal(name: string): Result<TargetId> {
    if (this.has(name)) return ok(name);
    const guess = closest(name, this.graph.nodes());
    return fail({
      message: `no target named ${name}`,
      hint: guess ? `did you mean ${guess}?` : 'mkimage list shows the targets',
    });
  }

  /** Finds one cycle and prints it whole: `a -> b -> c -> a`, with where each edge was declared. */
  private describeCycle(): Diagnostic {
    const cycle = findCycle(this.graph);
    // Edges run prerequisite -> dependent; people read "a needs b", so print dependents first.
    const needs = [...cycle].reverse();
    const where = needs.slice(0, -1).map((from, i) => {
      const to = needs[i + 1]!;
      const at = this.graph.getEdgeAttribute(to, from, 'at');
      return `${from} -> ${to}${at ? ` (${formatLocation(at)})` : ''}`;
    });
    const first = this.graph.getEdgeAttribute(needs[1]!, needs[0]!, 'at');
    return {
      message: `dependency cycle: ${needs.join(' -> ')}; edges: ${where.join(', ')}`,
      ...(first && { at: first }),
      hint: 'a target cannot need itself, directly or through others',
    };
  }
}

function unknownPrerequisite(
  spec: TargetSpec,
  missing: string,
  at: SourceLocation | undefined,
  known: string[],
): Diagnostic {
  const guess = closest(missing, known);
  const where = at ?? spec.at;
  return {
    message: `target ${spec.id} needs ${missing}, which is not declared`,
    ...(where && { at: where }),
    ...(guess && { hint: `did you mean ${guess}?` }),
  };
}

/** Iterative DFS; returns the nodes of one cycle, first node repeated at the end. */
function findCycle(graph: DirectedGraph<any, any>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of graph.nodes()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: Array<{ node: string; next: string[] }> = [];
    const enter = (node: string) => {
      state.set(node, 'open');
      path.push(node);
      stack.push({ node, next: graph.outNeighbors(node) });
    };
    enter(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.next.shift();
      if (next === undefined) {
        state.set(top.node, 'done');
        stack.pop();
        path.pop();
      } else if (state.get(next) === 'open') {
        return [...path.slice(path.indexOf(next)), next];
      } else if (!state.has(next)) {
        enter(next);
      }
    }
  }
  throw new Error('hasCycle() found a cycle that findCycle() did not');
}
