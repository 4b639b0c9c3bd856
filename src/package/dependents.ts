// Which other sources must follow when the user rebuilds their own (ratt, dose-ceve, OBS
// rebuild=transitive), in what build order, and what a rebuild leaves unmet (girar's check).
// Pure: facts come parsed from the archive's Packages and Sources indexes, never guessed from names.

/** A binary package as an image's closure or the archive's Packages index knows it. */
export interface BinaryFacts {
  readonly name: string;
  /** Its source package's name (Packages' `Source:` field without the version; the name itself when absent). */
  readonly source: string;
  /** Every name its Depends and Pre-Depends mention, alternatives included. */
  readonly depends: readonly string[];
  readonly provides?: readonly string[];
}

/** A source package as the Sources index knows it. */
export interface SourceFacts {
  readonly name: string;
  readonly binaries: readonly string[];
  /** Names in Build-Depends, Build-Depends-Arch and Build-Depends-Indep. */
  readonly buildDepends: readonly string[];
}

/** A source the user rebuilds (declared package target) and the binaries it produces. */
export interface RebuiltRoot {
  readonly source: string;
  readonly binaries: readonly string[];
  /**
   * The binaries of the suite's version it replaces. What needs one of them is a dependent too:
   * a backport that renames a library (libldap-2.5-0 -> libldap2) is followed by what needed the
   * old name, rebuilt against the new one, or the image would keep the archive's old library.
   */
  readonly replaces?: readonly string[];
  /** The build-deps of the user's (perhaps patched) source, when they differ from the Sources index. */
  readonly buildDepends?: readonly string[];
}

export interface Dependent {
  readonly source: string;
  /** Why: the first installed binary of it that needs a rebuilt binary, and which (`jshon needs libjansson4 (jansson)`). */
  readonly because: {
    readonly binary: string;
    /** The name as its Depends write it: a rebuilt binary, or a virtual name one provides. */
    readonly needs: string;
    /** The plan source that rebuilds it. */
    readonly from: string;
    /** The rebuilt binary providing `needs`, when `needs` is a virtual name. */
    readonly provider?: string;
  };
  /** Generation: 1 for direct dependents of a root, 2 for dependents of those, ... */
  readonly depth: number;
}

export interface BuildEdge {
  readonly source: string;
  readonly after: string;
  /** The name build-depended on, as Build-Depends writes it (a binary of `after`, or a name one provides). */
  readonly via: string;
}

export interface RebuildPlan {
  /** Dependent sources to rebuild (roots excluded), in discovery order (breadth first, then by name). */
  readonly dependents: readonly Dependent[];
  /** Every source of the plan, roots included, in an order where each comes after what it build-depends on (ties by name). */
  readonly order: readonly string[];
  /** Build edges kept: `source` is built against the rebuilt `after`. */
  readonly edges: readonly BuildEdge[];
  /** Edges dropped to break cycles: `source` is built against the archive's binaries of `after`, and the plan says so. */
  readonly brokenCycles: readonly BuildEdge[];
}

/** What a binary's name says it provides, beside the Packages facts of installed binaries. */
export type Provided = ReadonlyMap<string, readonly string[]>;

const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A name a plan source's build makes available, and the binary that does. */
interface Offer {
  readonly binary: string;
  readonly source: string;
}

/**
 * installed: the binaries of an image's closure (their runtime deps decide who is a dependent);
 * sources: the Sources index by name (binaries and build-deps of each source);
 * roots: the user's package targets. Transitive: binaries of a dependent become rebuilt too.
 * A dependency on a virtual name counts when a rebuilt binary provides it (provides taken from `installed` or from `provided`).
 *
 * Only installed binaries pull their source in: a source that merely build-depends on a
 * rebuilt binary is not a dependent (the image does not carry it), though it orders the plan
 * when it is in it for another reason. A source build-depending on its own binary is ignored.
 *
 * Cycle rule: every plan source has a discovery rank (roots by name, then dependents in
 * discovery order). An edge whose `after` was discovered before its `source` (a dependent
 * built against a root or an earlier generation) is always kept; those alone cannot form a
 * cycle. The other edges are then tried by the rank of their `source`, then of their `after`,
 * and one that would close a cycle with the edges kept so far is dropped into `brokenCycles`:
 * the earlier-discovered source is built against the archive's binaries of the later one.
 */
export function rebuildPlan(
  installed: readonly BinaryFacts[],
  sources: ReadonlyMap<string, SourceFacts>,
  roots: readonly RebuiltRoot[],
  provided: Provided = new Map(),
): RebuildPlan {
  // Sorted once, so "the first installed binary" and every tie are decided by name.
  const byName = [...installed].sort((a, b) => compareNames(a.name, b.name));
  const offers = offersOf(installed, provided);

  const rank = new Map<string, number>();
  const offered = new Map<string, Offer>();
  const join = (source: string, binaries: readonly string[]) => {
    rank.set(source, rank.size);
    for (const binary of binaries) for (const name of offers(binary)) if (!offered.has(name)) offered.set(name, { binary, source });
  };

  const rootBinaries = new Map<string, string[]>();
  for (const r of roots) rootBinaries.set(r.source, [...(rootBinaries.get(r.source) ?? []), ...r.binaries, ...(r.replaces ?? [])]);
  for (const source of [...rootBinaries.keys()].sort(compareNames)) join(source, rootBinaries.get(source)!);

  const dependents: Dependent[] = [];
  for (let depth = 1; ; depth++) {
    // A generation is found against what earlier ones rebuild, and only then joins them, so
    // depth is the length of the shortest chain of runtime deps back to a root.
    const found = new Map<string, Dependent>();
    for (const b of byName) {
      if (rank.has(b.source) || found.has(b.source)) continue;
      const needs = b.depends.find((n) => offered.has(n));
      if (needs === undefined) continue;
      const offer = offered.get(needs)!;
      const because = { binary: b.name, needs, from: offer.source, ...(offer.binary !== needs ? { provider: offer.binary } : {}) };
      found.set(b.source, { source: b.source, because, depth });
    }
    if (found.size === 0) break;
    for (const d of [...found.values()].sort((a, b) => compareNames(a.source, b.source))) {
      dependents.push(d);
      join(d.source, sources.get(d.source)?.binaries ?? byName.filter((b) => b.source === d.source).map((b) => b.name));
    }
  }

  const rankOf = (source: string) => rank.get(source)!;
  const rootBuildDepends = new Map(roots.filter((r) => r.buildDepends).map((r) => [r.source, r.buildDepends!]));
  const forward: BuildEdge[] = [];
  const backward: BuildEdge[] = [];
  for (const source of rank.keys()) {
    const seen = new Set<string>();
    for (const via of rootBuildDepends.get(source) ?? sources.get(source)?.buildDepends ?? []) {
      const after = offered.get(via)?.source;
      if (after === undefined || after === source || seen.has(after)) continue;
      seen.add(after);
      (rankOf(after) < rankOf(source) ? forward : backward).push({ source, after, via });
    }
  }
  backward.sort((a, b) => rankOf(a.source) - rankOf(b.source) || rankOf(a.after) - rankOf(b.after));

  const waitsFor = new Map<string, string[]>();
  const keep = (e: BuildEdge) => waitsFor.set(e.source, [...(waitsFor.get(e.source) ?? []), e.after]);
  const reaches = (from: string, to: string): boolean => {
    const stack = [from];
    const seen = new Set<string>();
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      if (s === to) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(waitsFor.get(s) ?? []));
    }
    return false;
  };
  const edges: BuildEdge[] = [...forward];
  const brokenCycles: BuildEdge[] = [];
  forward.forEach(keep);
  for (const e of backward) {
    if (reaches(e.after, e.source)) brokenCycles.push(e);
    else {
      keep(e);
      edges.push(e);
    }
  }
  edges.sort((a, b) => rankOf(a.source) - rankOf(b.source) || rankOf(a.after) - rankOf(b.after));

  return { dependents, order: buildOrder([...rank.keys()], waitsFor), edges, brokenCycles };
}

/** Kahn's algorithm over an acyclic `waitsFor`, taking the smallest ready name each time. */
function buildOrder(plan: readonly string[], waitsFor: ReadonlyMap<string, readonly string[]>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  let pending = [...plan].sort(compareNames);
  while (pending.length > 0) {
    const next = pending.find((s) => (waitsFor.get(s) ?? []).every((a) => done.has(a)));
    // Unreachable: cycles were broken above; fail loudly rather than loop.
    if (next === undefined) throw new Error(`build order: a cycle among ${pending.join(', ')}`);
    done.add(next);
    order.push(next);
    pending = pending.filter((s) => s !== next);
  }
  return order;
}

/** A binary's own name and every name it provides. */
function offersOf(installed: readonly BinaryFacts[], provided: Provided): (binary: string) => string[] {
  const installedProvides = new Map(installed.map((b) => [b.name, b.provides ?? []]));
  return (binary) => [binary, ...(installedProvides.get(binary) ?? []), ...(provided.get(binary) ?? [])];
}

/** Girar's "NEW unmet dependencies": installed packages that need a name the rebuilt roots no longer produce (a soname change: libldap-2.5-0 -> libldap2). */
export interface Unmet {
  readonly binary: string;
  readonly needs: string;
  /** The root whose old binary offered `needs`. */
  readonly source: string;
}

/**
 * before: the archive's binaries of each root; after: the binaries our build produces.
 * A name is lost when an old binary of a root had it (or provided it) and neither a new
 * binary of any root nor an installed binary of an untouched source still offers it.
 * An installed binary our build produces again is not reported: it is replaced by one built
 * against the new names. One our build no longer produces stays as the archive's, with its
 * old deps (`slapd` when the patched source drops the server). Roots missing from `after` are
 * not compared. Depends are flattened, so a lost name met by another alternative is still reported.
 */
export function unmetAfterRebuild(
  installed: readonly BinaryFacts[],
  before: readonly RebuiltRoot[],
  after: readonly RebuiltRoot[],
  provided: Provided = new Map(),
): Unmet[] {
  const offers = offersOf(installed, provided);
  const produced = new Map<string, Set<string>>();
  for (const r of after) produced.set(r.source, new Set([...(produced.get(r.source) ?? []), ...r.binaries]));

  const lost = new Map<string, string>();
  for (const r of before) {
    if (!produced.has(r.source)) continue;
    for (const binary of r.binaries) for (const name of offers(binary)) if (!lost.has(name)) lost.set(name, r.source);
  }
  for (const r of after) for (const binary of r.binaries) for (const name of offers(binary)) lost.delete(name);
  for (const b of installed) if (!produced.has(b.source)) for (const name of offers(b.name)) lost.delete(name);

  const unmet: Unmet[] = [];
  for (const b of [...installed].sort((x, y) => compareNames(x.name, y.name))) {
    if (produced.get(b.source)?.has(b.name)) continue;
    for (const needs of new Set(b.depends)) {
      const source = lost.get(needs);
      if (source !== undefined) unmet.push({ binary: b.name, needs, source });
    }
  }
  return unmet;
}
