// The configuration tree of a distro as a graph: the distro, its intermediates, mixins and
// aliases (every node applied, none left out), the features they belong to, and optionally
// what each node set; the caller may add the stages the build will run (withStages: the CLI
// knows both the profile and the image pipeline). Rendered as dot, mermaid, JSON or a terminal
// tree; svg is dot through Graphviz, done by the caller.

import { relative } from 'node:path';
import { formatLocation, type SourceLocation } from '../core/diagnostic.ts';
import type { Node, Operation } from '../dsl/profile.ts';
import type { Library } from './library.ts';
import { show, type ResolvedProfile } from './resolve.ts';

export type GraphNodeKind = 'distro' | 'intermediate' | 'mixin' | 'alias' | 'feature' | 'stage' | 'package';

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
  readonly at?: string;
  /** With --vars: what the node did, one line per operation (`+ PACKAGES openssh-server`). */
  readonly vars?: readonly string[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'needs' | 'in-feature' | 'stage' | 'package';
}

export interface ConfigGraph {
  readonly distro: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface GraphOptions {
  readonly vars?: boolean;
}

/** A stage of the pipeline an image goes through, as the graph draws it. */
export interface StageNode {
  readonly name: string;
  /** Stages it reads; one that reads none starts from the distro. */
  readonly needs: readonly string[];
}

/** A package build the image takes (or one such a build is built against), as the graph draws it. */
export interface PackageNode {
  /** Its source package. */
  readonly name: string;
  /** The version it is built as (`2.14-4+mkimage1`). */
  readonly version: string;
  /** The feature that declares it; a dependent rebuilt against another build has none. */
  readonly feature?: string;
  /** The builds it is built against (their repositories are its build chroot's). */
  readonly after: readonly string[];
  /** The image installs its binaries (else it is only built against). */
  readonly taken: boolean;
}

const OP_MARK: Record<Operation['kind'], string> = { add: '+', set: '=', try: '?', remove: '-' };

export function configGraph(library: Library, profile: ResolvedProfile, o: GraphOptions = {}): ConfigGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const name of [...profile.chain].reverse()) {
    const { node } = library.nodes.get(name)!;
    nodes.push({
      id: name,
      kind: kindOf(node),
      label: name,
      ...(node.at && { at: here(library, node.at) }),
      ...(o.vars && { vars: node.ops.map(describeOp) }),
    });
    for (const need of node.needs) edges.push({ from: name, to: typeof need === 'string' ? need : need.name, kind: 'needs' });
  }
  for (const f of profile.features) {
    const info = library.features.get(f)!;
    nodes.push({ id: `feature:${f}`, kind: 'feature', label: f, ...(info.at && { at: here(library, info.at) }) });
  }
  for (const name of profile.chain) {
    const feature = library.nodes.get(name)!.feature;
    if (feature) edges.push({ from: name, to: `feature:${feature}`, kind: 'in-feature' });
  }
  return { distro: profile.distro, nodes, edges };
}

/** The graph with the stages (prerequisites first) drawn after the configuration. */
export function withStages(g: ConfigGraph, stages: readonly StageNode[]): ConfigGraph {
  const nodes = [...g.nodes];
  const edges = [...g.edges];
  for (const s of stages) {
    nodes.push({ id: `stage:${s.name}`, kind: 'stage', label: s.name });
    for (const need of s.needs) edges.push({ from: `stage:${need}`, to: `stage:${s.name}`, kind: 'stage' });
  }
  for (const s of stages) if (s.needs.length === 0) edges.push({ from: g.distro, to: `stage:${s.name}`, kind: 'stage' });
  return { ...g, nodes, edges };
}

/**
 * The graph with the package builds drawn: each from the feature that declares it or the builds
 * it is rebuilt against, and those the image installs into its packages stage (the distro
 * without --stages).
 */
export function withPackages(g: ConfigGraph, packages: readonly PackageNode[]): ConfigGraph {
  const nodes = [...g.nodes];
  const edges = [...g.edges];
  const into = nodes.some((n) => n.id === 'stage:packages') ? 'stage:packages' : g.distro;
  for (const p of packages) {
    const id = `package:${p.name}`;
    nodes.push({ id, kind: 'package', label: `${p.name} ${p.version}` });
    if (p.feature) {
      if (!nodes.some((n) => n.id === `feature:${p.feature}`)) nodes.push({ id: `feature:${p.feature}`, kind: 'feature', label: p.feature });
      edges.push({ from: `feature:${p.feature}`, to: id, kind: 'package' });
    }
    for (const a of p.after) edges.push({ from: `package:${a}`, to: id, kind: 'package' });
    if (p.taken) edges.push({ from: id, to: into, kind: 'package' });
  }
  return { ...g, nodes, edges };
}

/** Locations relative to the project: the graph reads the same in every checkout. */
const here = (library: Library, at: SourceLocation) => formatLocation({ ...at, file: relative(library.root, at.file) });

function kindOf(node: Node): GraphNodeKind {
  if (node.kind === 'distro') return node.name.startsWith('.') ? 'intermediate' : 'distro';
  return node.kind;
}

function describeOp(op: Operation): string {
  return `${OP_MARK[op.kind]} ${op.variable} ${op.values.map(show).join(' ')}`;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const DOT_STYLE: Record<GraphNodeKind, string> = {
  distro: 'shape=box, style="bold,filled", fillcolor="#dbeafe"',
  intermediate: 'shape=box, style="dashed"',
  mixin: 'shape=box, style="rounded"',
  alias: 'shape=hexagon',
  feature: 'shape=folder, style="filled", fillcolor="#f3f4f6"',
  stage: 'shape=cds, style="filled", fillcolor="#fef3c7"',
  package: 'shape=component, style="filled", fillcolor="#dcfce7"',
};

export function toDot(g: ConfigGraph): string {
  const lines = [`digraph ${quote(g.distro)} {`, '  rankdir=LR;', '  node [fontname="monospace", fontsize=10];'];
  for (const n of g.nodes) {
    const label = n.vars && n.vars.length > 0 ? `${n.label}\\n${n.vars.map((v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\l')}\\l` : n.label.replace(/"/g, '\\"');
    lines.push(`  ${quote(n.id)} [label="${label}", ${DOT_STYLE[n.kind]}];`);
  }
  for (const e of g.edges) {
    const style = e.kind === 'in-feature' ? ' [style=dotted, arrowhead=none]' : e.kind === 'stage' ? ' [color="#b45309"]' : e.kind === 'package' ? ' [color="#15803d"]' : '';
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${style};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const MERMAID_SHAPE: Record<GraphNodeKind, [string, string]> = {
  distro: ['[', ']'],
  intermediate: ['[', ']'],
  mixin: ['(', ')'],
  alias: ['{{', '}}'],
  feature: ['[/', '/]'],
  stage: ['[[', ']]'],
  package: ['[(', ')]'],
};

export function toMermaid(g: ConfigGraph): string {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of g.nodes) {
    const [open, close] = MERMAID_SHAPE[n.kind];
    const text = [n.label, ...(n.vars ?? [])].join('<br/>').replace(/"/g, '#quot;');
    lines.push(`  ${ids.get(n.id)}${open}"${text}"${close}`);
  }
  for (const e of g.edges) {
    const arrow = e.kind === 'in-feature' ? '-.-' : e.kind === 'stage' || e.kind === 'package' ? '==>' : '-->';
    lines.push(`  ${ids.get(e.from)} ${arrow} ${ids.get(e.to)}`);
  }
  for (const kind of ['distro', 'intermediate', 'feature', 'stage', 'package'] as const) {
    const members = g.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id));
    if (members.length > 0) lines.push(`  class ${members.join(',')} ${kind}`);
  }
  lines.push('  classDef distro font-weight:bold', '  classDef intermediate stroke-dasharray: 4 4', '  classDef feature fill:#f3f4f6', '  classDef stage fill:#fef3c7');
  if (g.nodes.some((n) => n.kind === 'package')) lines.push('  classDef package fill:#dcfce7');
  return `${lines.join('\n')}\n`;
}

export function toJson(g: ConfigGraph): string {
  return `${JSON.stringify(g, null, 2)}\n`;
}

/** A terminal picture: the needs tree, a node drawn again only as a reference. */
export function toTree(g: ConfigGraph): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const needs = new Map<string, string[]>();
  const featureOf = new Map<string, string>();
  for (const e of g.edges) {
    if (e.kind === 'needs') needs.set(e.from, [...(needs.get(e.from) ?? []), e.to]);
    if (e.kind === 'in-feature') featureOf.set(e.from, byId.get(e.to)!.label);
  }
  const out: string[] = [];
  const drawn = new Set<string>();
  const draw = (id: string, prefix: string, last: boolean, root: boolean) => {
    const n = byId.get(id)!;
    const branch = root ? '' : last ? '└── ' : '├── ';
    const feature = featureOf.get(id);
    const again = drawn.has(id);
    out.push(`${prefix}${branch}${n.label}${feature ? `  [${feature}]` : ''}${again ? '  (applied above)' : ''}`);
    if (again) return;
    drawn.add(id);
    const childPrefix = root ? '' : prefix + (last ? '    ' : '│   ');
    for (const v of n.vars ?? []) out.push(`${childPrefix}${(needs.get(id)?.length ?? 0) > 0 ? '│ ' : '  '} ${v}`);
    const kids = needs.get(id) ?? [];
    kids.forEach((k, i) => draw(k, childPrefix, i === kids.length - 1, false));
  };
  draw(g.distro, '', true, true);
  const stages = g.nodes.filter((n) => n.kind === 'stage');
  if (stages.length > 0) {
    out.push('', 'stages:');
    for (const s of stages) {
      const from = g.edges.filter((e) => e.kind === 'stage' && e.to === s.id && e.from.startsWith('stage:')).map((e) => byId.get(e.from)!.label);
      out.push(`  ${s.label}${from.length > 0 ? `  <- ${from.join(', ')}` : ''}`);
    }
  }
  const packages = g.nodes.filter((n) => n.kind === 'package');
  if (packages.length > 0) {
    out.push('', 'package builds:');
    for (const p of packages) {
      const from = g.edges.filter((e) => e.kind === 'package' && e.to === p.id).map((e) => (e.from.startsWith('feature:') ? `feature ${byId.get(e.from)!.label}` : byId.get(e.from)!.label.split(' ')[0]!));
      const into = g.edges.some((e) => e.kind === 'package' && e.from === p.id && !e.to.startsWith('package:'));
      out.push(`  ${p.label}${from.length > 0 ? `  <- ${from.join(', ')}` : ''}${into ? '' : '  (built against, not installed)'}`);
    }
  }
  return `${out.join('\n')}\n`;
}
