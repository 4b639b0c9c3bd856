// Resolves a distro into one flat, frozen configuration, the mkimage-profiles way:
// prerequisites first, depth-first and left to right, each applied once however many paths
// reach it; then its own operations. Every value keeps the history of operations that made
// it, with the mixin, file and line of each.

import { fail, formatLocation, ok, type Diagnostic, type Result, type SourceLocation } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import type { Node, Operation, OpValue, Scalar, SettingDecl, TagQuery } from '../dsl/profile.ts';
import { SourceLines } from '../project/source-lines.ts';
import type { Library } from './library.ts';
import { matches, parseTags } from './tag-expression.ts';

export type Value = Scalar | readonly Scalar[] | null;

export interface Provenance {
  /** `derived`: no mixin set it, and the setting makes its value from the distro's name. */
  readonly op: Operation['kind'] | 'derived';
  /** What the operation was given, as written (`tags(expr)` for a tag query). */
  readonly given: readonly string[];
  readonly by: string;
  readonly at?: SourceLocation;
  /** The value after this operation. */
  readonly result: Value;
  /** For a set that replaced an earlier set: what it replaced, and who had set it. */
  readonly overrode?: { readonly value: Value; readonly by: string; readonly at?: SourceLocation };
  /** A try that found the variable set already did nothing. */
  readonly ignored?: boolean;
}

export interface ResolvedVariable {
  readonly setting: SettingDecl;
  readonly value: Value;
  /** False while only the default applies. */
  readonly explicit: boolean;
  readonly history: readonly Provenance[];
}

export interface ResolvedProfile {
  readonly distro: string;
  readonly description: string;
  /** Every node applied, in application order (the distro last). */
  readonly chain: readonly string[];
  /** Features in order of first use: their overlays and hooks apply in this order. */
  readonly features: readonly string[];
  readonly variables: Readonly<Record<string, ResolvedVariable>>;
  /** BASE_LISTS with tag queries expanded, in order. */
  readonly baseLists: readonly string[];
  /** What the bootstrap installs: BASE_PACKAGES, BASE_LISTS' packages and KERNEL, sorted, once each. */
  readonly basePackages: readonly string[];
  /** LISTS with tag queries expanded, in order. */
  readonly lists: readonly string[];
  /** What is installed on top: PACKAGES and LISTS' packages not in the base, sorted, once each. */
  readonly packages: readonly string[];
  readonly warnings: readonly Diagnostic[];
}

export function resolveDistro(library: Library, name: string): Result<ResolvedProfile> {
  const entry = library.nodes.get(name);
  if (!entry) {
    const guess = closest(name, [...library.nodes.keys()].filter((n) => library.nodes.get(n)!.node.kind === 'distro'));
    return fail({ message: `no distro named ${name}`, ...(guess && { hint: `did you mean ${guess}?` }) });
  }
  if (entry.node.kind !== 'distro') {
    return fail({ message: `${name} is a ${entry.node.kind}, not a distro`, ...(entry.node.at && { at: entry.node.at }), hint: 'mkimage list shows the distros' });
  }
  return new Resolution(library).run(entry.node);
}

interface Slot {
  value: Value;
  explicit: boolean;
  /** The last set or try that gave the value, for override warnings. */
  setBy?: { readonly node: string; readonly at?: SourceLocation };
  history: Provenance[];
}

class Resolution {
  private readonly applied = new Set<string>();
  private readonly chain: string[] = [];
  private readonly features: string[] = [];
  private readonly slots = new Map<string, Slot>();
  private readonly warnings: Diagnostic[] = [];
  private readonly needsMemo = new Map<string, Set<string>>();
  private readonly sources = new SourceLines();

  constructor(private readonly library: Library) {}

  run(distro: Node): Result<ResolvedProfile> {
    const applied = this.visit(distro, []);
    if (applied) return fail(applied);
    const baseLists = this.expandLists('BASE_LISTS');
    if (!baseLists.ok) return baseLists;
    const lists = this.expandLists('LISTS');
    if (!lists.ok) return lists;
    const variables: Record<string, ResolvedVariable> = {};
    for (const [name, setting] of [...this.library.settings].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // A feature's settings belong to the distros that use the feature.
      const owner = this.library.settingOwners.get(name);
      if (owner && !this.features.includes(owner) && !this.slots.has(name)) continue;
      const slot = this.slot(name);
      if (!slot.explicit && setting.derive) {
        slot.value = setting.derive(distro.name);
        slot.history.push({ op: 'derived', given: ['from the distro name'], by: distro.name, ...(distro.at && { at: distro.at }), result: slot.value });
      }
      variables[name] = { setting, value: slot.value, explicit: slot.explicit, history: slot.history };
    }
    const base = this.packagesOf('BASE_PACKAGES', baseLists.value);
    const kernel = variables.KERNEL?.value;
    if (typeof kernel === 'string' && kernel) base.add(kernel);
    const packages = [...this.packagesOf('PACKAGES', lists.value)].filter((p) => !base.has(p));
    return ok(deepFreeze({
      distro: distro.name,
      description: distro.description,
      chain: this.chain,
      features: this.features,
      variables,
      baseLists: baseLists.value,
      basePackages: [...base].sort(),
      lists: lists.value,
      packages: packages.sort(),
      warnings: this.warnings,
    }));
  }

  /** Applies a node after its needs. `path` is the stack of nodes being applied, for cycles. */
  private visit(node: Node, path: Array<{ name: string; at?: SourceLocation }>): Diagnostic | undefined {
    if (this.applied.has(node.name)) return undefined;
    const onPath = path.findIndex((p) => p.name === node.name);
    if (onPath >= 0) return this.cycle(path.slice(onPath), node.name);
    for (const need of node.needs) {
      const name = typeof need === 'string' ? need : need.name;
      const at = this.sources.lineNaming(node.at, name) ?? node.at;
      const target = this.library.nodes.get(name);
      // A need given as a value is matched by name: each conf.d file is loaded on its own, so
      // a distro imported from another file is an equal copy, not the same object.
      if (!target) return this.unknown(node, name, at);
      const e = this.visit(target.node, [...path, { name: node.name, ...(at && { at }) }]);
      if (e) return e;
    }
    this.applied.add(node.name);
    this.chain.push(node.name);
    const feature = this.library.nodes.get(node.name)?.feature;
    if (feature && !this.features.includes(feature)) this.features.push(feature);
    for (const op of [...carriedHooks(node, feature), ...node.ops]) {
      const e = this.apply(node, op);
      if (e) return e;
    }
    return undefined;
  }

  private unknown(node: Node, name: string, at: SourceLocation | undefined): Diagnostic {
    const guess = closest(name, this.library.nodes.keys());
    const kind = name.startsWith('use/') ? 'mixin' : name.startsWith('+') ? 'alias' : 'distro';
    return {
      message: `${node.name} needs ${kind} ${name}, which is not declared`,
      ...(at && { at }),
      hint: guess ? `did you mean ${guess}?` : kind === 'mixin' ? `mixins live in features/${name.split('/')[1]}/feature.ts` : 'mkimage features lists the mixins',
    };
  }

  private cycle(path: Array<{ name: string; at?: SourceLocation }>, back: string): Diagnostic {
    const names = [...path.map((p) => p.name), back];
    const edges = path.map((p, i) => `${p.name} -> ${names[i + 1]}${p.at ? ` (${formatLocation(p.at)})` : ''}`);
    return {
      message: `cycle among mixins: ${names.join(' -> ')}; edges: ${edges.join(', ')}`,
      ...(path[0]?.at && { at: path[0].at }),
      hint: 'a mixin cannot need itself, directly or through others',
    };
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      const setting = this.library.settings.get(name)!;
      slot = { value: setting.default, explicit: false, history: [] };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private apply(node: Node, op: Operation): Diagnostic | undefined {
    const setting = this.library.settings.get(op.variable);
    const at = op.at ?? node.at;
    const where = at && { at };
    if (!setting) {
      const guess = closest(op.variable, this.library.settings.keys());
      return {
        message: `${op.kind} of undeclared variable ${op.variable} in ${node.name}`,
        ...where,
        hint: guess ? `did you mean ${guess}?` : "declare it with setting({...}) in a feature's feature.ts",
      };
    }
    const result = checkValues(setting, op);
    if ('error' in result) return { message: `${op.kind} ${op.variable} in ${node.name}: ${result.error}`, ...where, ...hintFor(setting, op) };
    const checked = result.value;
    const slot = this.slot(op.variable);
    const given = op.values.map(show);
    const record = (p: Omit<Provenance, 'by' | 'given' | 'op'>) =>
      slot.history.push({ op: op.kind, given, by: node.name, ...(at && { at }), ...p });
    switch (op.kind) {
      case 'add':
        slot.value = [...asList(slot.value), ...(checked as Scalar[])];
        slot.explicit = true;
        record({ result: slot.value });
        return undefined;
      case 'remove': {
        const gone = new Set(checked as Scalar[]);
        slot.value = asList(slot.value).filter((v) => !gone.has(v));
        slot.explicit = true;
        record({ result: slot.value });
        return undefined;
      }
      case 'try':
        if (slot.explicit) {
          record({ result: slot.value, ignored: true });
          return undefined;
        }
        slot.value = checked;
        slot.explicit = true;
        slot.setBy = { node: node.name, ...(at && { at }) };
        record({ result: slot.value });
        return undefined;
      case 'set': {
        const before = slot.explicit ? slot.value : undefined;
        if (slot.setBy && before !== undefined && !sameValue(before, checked) && !this.needs(node.name, slot.setBy.node)) {
          this.warnings.push({
            message: `${op.variable}: ${node.name} sets ${show(checked)}, overriding ${show(before)} set by ${slot.setBy.node}${slot.setBy.at ? ` (${formatLocation(slot.setBy.at)})` : ''}; neither needs the other, so the order of needs picks the winner`,
            ...where,
            hint: `make ${node.name} need ${slot.setBy.node}, or set ${op.variable} in the distro`,
          });
        }
        slot.value = checked;
        slot.explicit = true;
        record({ result: slot.value, ...(before !== undefined && slot.setBy && { overrode: { value: before, by: slot.setBy.node, ...(slot.setBy.at && { at: slot.setBy.at }) } }) });
        slot.setBy = { node: node.name, ...(at && { at }) };
        return undefined;
      }
    }
  }

  /** Does `a` need `b`, directly or through others? */
  private needs(a: string, b: string): boolean {
    let all = this.needsMemo.get(a);
    if (!all) {
      all = new Set();
      const stack = [a];
      while (stack.length > 0) {
        const n = this.library.nodes.get(stack.pop()!)?.node;
        for (const need of n?.needs ?? []) {
          const name = typeof need === 'string' ? need : need.name;
          if (!all.has(name)) {
            all.add(name);
            stack.push(name);
          }
        }
      }
      this.needsMemo.set(a, all);
    }
    return all.has(b);
  }

  private packagesOf(variable: string, lists: readonly string[]): Set<string> {
    const packages = new Set<string>(asList(this.slot(variable).value).map(String));
    for (const l of lists) this.library.lists.get(l)!.packages.forEach((p) => packages.add(p));
    return packages;
  }

  /** A lists variable's entries: names of lists, or tag queries that select lists by their tags. */
  private expandLists(variable: string): Result<string[]> {
    const out: string[] = [];
    const slot = this.slot(variable);
    for (const item of asList(slot.value) as ReadonlyArray<Scalar | TagQuery>) {
      if (typeof item === 'object') {
        const expr = parseTags(item.expression);
        if (!expr.ok) throw new Error('tag expressions are checked when applied');
        for (const l of [...this.library.lists.values()].filter((l) => matches(expr.value, l.tags)).map((l) => l.name).sort()) {
          if (!out.includes(l)) out.push(l);
        }
      } else if (!this.library.lists.has(String(item))) {
        const origin = slot.history.find((h) => h.given.includes(show(item)));
        const guess = closest(String(item), this.library.lists.keys());
        return fail({
          message: `no package list named ${item}`,
          ...(origin?.at && { at: origin.at }),
          hint: guess ? `did you mean ${guess}?` : 'lists are files in features/<name>/lists/',
        });
      } else if (!out.includes(String(item))) {
        out.push(String(item));
      }
    }
    return ok(out);
  }
}

/** A mixin's hooks, as the operation they stand for: HOOKS gets `feature/file`, where the mixin was declared. */
function carriedHooks(node: Node, feature: string | undefined): Operation[] {
  if (node.kind !== 'mixin' || node.hooks.length === 0 || !feature) return [];
  return [{ kind: 'add', variable: 'HOOKS', values: node.hooks.map((h) => `${feature}/${h}`), ...(node.at && { at: node.at }) }];
}

/** The value an operation gives, converted to the setting's type, or why it cannot. */
function checkValues(setting: SettingDecl, op: Operation): { value: Value } | { error: string } {
  const values = op.values;
  for (const v of values) {
    if (typeof v === 'object') {
      if (!setting.name.endsWith('LISTS')) return { error: 'tags(...) selects package lists: use it with LISTS or BASE_LISTS' };
      const parsed = parseTags(v.expression);
      if (!parsed.ok) return { error: `tag expression ${JSON.stringify(v.expression)} does not parse: ${parsed.error.message} (column ${parsed.error.column})` };
    }
  }
  if (setting.type === 'list') {
    if (values.some((v) => typeof v !== 'string' && typeof v !== 'object')) return { error: 'list items are strings' };
    return { value: values as Scalar[] };
  }
  if (op.kind === 'add' || op.kind === 'remove') return { error: `${op.kind} works on lists; ${setting.name} is a ${setting.type}` };
  if (values.length !== 1) return { error: `${setting.name} takes one value, got ${values.length}` };
  const v = values[0]!;
  const wrong = (what: string) => ({ error: `${setting.name} is ${what}, got ${show(v)}` });
  switch (setting.type) {
    case 'string':
      return typeof v === 'string' ? { value: v } : wrong('a string');
    case 'number':
      return typeof v === 'number' ? { value: v } : wrong('a number');
    case 'boolean':
      return typeof v === 'boolean' ? { value: v } : wrong('true or false');
    case 'enum':
      return typeof v === 'string' && setting.choices?.includes(v) ? { value: v } : wrong(`one of ${setting.choices?.join(', ')}`);
  }
}

function hintFor(setting: SettingDecl, op: Operation): { hint: string } | object {
  if ((op.kind === 'add' || op.kind === 'remove') && setting.type !== 'list') return { hint: `use set('${setting.name}', ...)` };
  return {};
}

const asList = (v: Value | undefined): readonly Scalar[] => (Array.isArray(v) ? v : v === null || v === undefined || v === '' ? [] : [v as Scalar]);

const sameValue = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

export function show(v: OpValue | Value): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return `tags(${JSON.stringify((v as TagQuery).expression)})`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return JSON.stringify(v);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
