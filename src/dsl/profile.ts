// The profile DSL: distros (conf.d/*.ts), feature mixins (features/<name>/feature.ts),
// aliases, and the operations that accumulate variables the mkimage-profiles way. Pure
// builders of data: each records what was declared and the file and line it came from.

import type { SourceLocation } from '../core/diagnostic.ts';
import { callerLocation } from './location.ts';
import { PROFILE } from './mark.ts';
import type { PackageDecl } from './package.ts';

export { PROFILE };

/** A variable's value as written in a profile. */
export type Scalar = string | number | boolean;

/** Selects package lists whose tags satisfy a boolean expression: `tags('server && (net || extra)')`. */
export interface TagQuery {
  readonly kind: 'tags';
  readonly expression: string;
  readonly at?: SourceLocation;
}

export type OpValue = Scalar | TagQuery;

export type OpKind = 'add' | 'set' | 'try' | 'remove';

export interface Operation {
  readonly kind: OpKind;
  readonly variable: string;
  readonly values: readonly OpValue[];
  readonly at?: SourceLocation;
}

/** Anything that can be needed: a distro, a mixin or an alias, by name or by value. */
export type Need = string | Node;

export interface NodeOptions {
  readonly description?: string;
  /** Prerequisites, applied first, depth-first and left to right, each once. */
  readonly needs?: readonly Need[];
}

interface NodeBase {
  readonly [PROFILE]: true;
  readonly name: string;
  readonly description: string;
  readonly needs: readonly Need[];
  readonly ops: readonly Operation[];
  readonly at?: SourceLocation;
}

/** A buildable (or, with a leading dot, intermediate) distro of conf.d/. */
export interface Distro extends NodeBase {
  readonly kind: 'distro';
  /** Image types this distro can be built as; default: every known type. */
  readonly images?: readonly string[];
}

/** A `use/<feature>/...` mixin of a feature folder. */
export interface Mixin extends NodeBase {
  readonly kind: 'mixin';
  /** Scripts of its feature's hooks/ that a distro using it runs (file names): added to HOOKS. */
  readonly hooks: readonly string[];
}

export interface MixinOptions extends NodeOptions {
  /** The feature's hooks/ scripts this mixin runs (file names, `90-docs`); each hook belongs to some mixin. */
  readonly hooks?: readonly string[];
}

/** `+name`: a short name for a set of mixins. */
export interface Alias extends NodeBase {
  readonly kind: 'alias';
}

export type Node = Distro | Mixin | Alias;

export type SettingType = 'string' | 'list' | 'boolean' | 'number' | 'enum';

/** A variable, declared once: its type, how values merge, its default and its help. */
export interface SettingDecl {
  readonly name: string;
  readonly type: SettingType;
  /** For enum: the allowed values. */
  readonly choices?: readonly string[];
  readonly default: Scalar | readonly Scalar[] | null;
  /**
   * When no mixin sets it: a value made from the distro's name instead of `default`
   * (VOLUME_ID: server-mini -> SERVER_MINI). `mkimage show` says so.
   */
  readonly derive?: (distro: string) => Scalar;
  readonly help: string;
  readonly at?: SourceLocation;
}

export interface FeatureDecl {
  readonly [PROFILE]: true;
  readonly kind: 'feature';
  readonly description: string;
  readonly mixins: readonly (Mixin | Alias)[];
  readonly settings: readonly SettingDecl[];
  /** rootfs/ paths this feature may overwrite when an earlier feature wrote them too. */
  readonly overrides: readonly string[];
  /** Hooks that need the network (file names in hooks/). */
  readonly networkHooks: readonly string[];
  /**
   * The variables its hooks read. Each hook of the feature gets these in its environment and
   * no others (besides MKIMAGE_FEATURE and SOURCE_DATE_EPOCH), so a change to another variable
   * does not rerun the hooks. A hook that uses an undeclared setting is an error.
   */
  readonly reads: readonly string[];
  /** Debian sources this feature builds (dsl/package.ts); any image that installs one of their binaries takes ours. */
  readonly packages: readonly PackageDecl[];
  readonly at?: SourceLocation;
}

function node<K extends Node['kind']>(kind: K, name: string, options: NodeOptions, ops: Operation[], at: SourceLocation | undefined) {
  return {
    [PROFILE]: true as const,
    kind,
    name,
    description: options.description ?? '',
    needs: options.needs ?? [],
    ops,
    ...(at && { at }),
  };
}

export function distro(name: string, options: NodeOptions & { readonly images?: readonly string[] } = {}, ...ops: Operation[]): Distro {
  return { ...node('distro', name, options, ops, callerLocation()), ...(options.images && { images: options.images }) };
}

export function mixin(name: string, options: MixinOptions = {}, ...ops: Operation[]): Mixin {
  return { ...node('mixin', name, options, ops, callerLocation()), hooks: options.hooks ?? [] };
}

export function alias(name: string, needs: readonly Need[], description = ''): Alias {
  return node('alias', name, { needs, description }, [], callerLocation());
}

export function feature(options: {
  readonly description: string;
  readonly mixins: readonly (Mixin | Alias)[];
  readonly settings?: readonly SettingDecl[];
  readonly overrides?: readonly string[];
  readonly networkHooks?: readonly string[];
  readonly reads?: readonly string[];
  readonly packages?: readonly PackageDecl[];
}): FeatureDecl {
  const at = callerLocation();
  return {
    [PROFILE]: true,
    kind: 'feature',
    description: options.description,
    mixins: options.mixins,
    settings: options.settings ?? [],
    overrides: options.overrides ?? [],
    networkHooks: options.networkHooks ?? [],
    reads: options.reads ?? [],
    packages: options.packages ?? [],
    ...(at && { at }),
  };
}

export function setting(decl: Omit<SettingDecl, 'at'>): SettingDecl {
  const at = callerLocation();
  return { ...decl, ...(at && { at }) };
}

const op = (kind: OpKind, variable: string, values: OpValue[]): Operation => {
  const at = callerLocation();
  return { kind, variable, values, ...(at && { at }) };
};

/** Appends to a list variable. */
export const add = (variable: string, ...values: OpValue[]): Operation => op('add', variable, values);
/** Sets a variable, overriding what was there (the override is recorded). */
export const set = (variable: string, value: Scalar | readonly Scalar[]): Operation =>
  op('set', variable, Array.isArray(value) ? [...value] : [value as Scalar]);
/** Sets a variable only if no mixin has set it yet. */
export const trySet = (variable: string, value: Scalar | readonly Scalar[]): Operation =>
  op('try', variable, Array.isArray(value) ? [...value] : [value as Scalar]);
/** Takes values back out of a list variable. */
export const remove = (variable: string, ...values: Scalar[]): Operation => op('remove', variable, values);

export function tags(expression: string): TagQuery {
  const at = callerLocation();
  return { kind: 'tags', expression, ...(at && { at }) };
}

export const isProfileValue = (v: unknown): v is Node | FeatureDecl =>
  typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[PROFILE] === true;

/** Where the distros and features of a project live: what Targetfile.ts exports. */
export interface ProfilesDecl {
  readonly [PROFILE]: true;
  readonly kind: 'profiles';
  /** Directory of distro files (*.ts), relative to the Targetfile. */
  readonly distros: string;
  /** Directory of feature folders, relative to the Targetfile. */
  readonly features: string;
  readonly at?: SourceLocation;
}

export function profiles(options: { readonly distros?: string; readonly features?: string } = {}): ProfilesDecl {
  const at = callerLocation();
  return {
    [PROFILE]: true,
    kind: 'profiles',
    distros: options.distros ?? 'conf.d',
    features: options.features ?? 'features',
    ...(at && { at }),
  };
}
