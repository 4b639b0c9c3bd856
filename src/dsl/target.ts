// `target()`: a plain, Makefile-like target of a Targetfile. A pure builder of data: it
// records what was declared and where, and runs nothing.

import type { Json } from '../core/canonical.ts';
import type { SourceLocation } from '../core/diagnostic.ts';
import type { RecipeContext } from '../core/target.ts';
import { callerLocation } from './location.ts';

/** Marks DSL values across module instances (a profile may be loaded more than once). */
export const TARGET = Symbol.for('mkimage.target');

export interface TargetOptions {
  readonly name: string;
  readonly description?: string;
  /** Prerequisites: their outputs are the recipe's inputs ($DEPS/<name>, ctx.deps). */
  readonly deps?: ReadonlyArray<string | TargetDef>;
  /** Input files or globs, relative to the Targetfile's directory: their content is fingerprinted. */
  readonly files?: readonly string[];
  /**
   * Input directories, relative to the Targetfile's directory, fingerprinted whole: every
   * entry's type, permission bits, link target and content, empty directories too. For a
   * recipe that copies a directory as it is.
   */
  readonly trees?: readonly string[];
  /** Plain values the recipe reads (ctx.values, $VALUES as JSON). */
  readonly values?: Readonly<Record<string, Json>>;
  /** Environment variables the recipe may read; everything else is not passed. */
  readonly env?: readonly string[];
  /** Tools and the command that prints their version, e.g. `{ mksquashfs: 'mksquashfs -version' }`. */
  readonly tools?: Readonly<Record<string, string>>;
  /** Job slots the recipe takes; 'all' for one that wants every core. */
  readonly weight?: number | 'all';
  /** Bump to rebuild when something the recipe's text does not show has changed. */
  readonly version?: string;
  /** A shell script run with `sh -eu` in the project directory; it fills $OUT. */
  readonly sh?: string;
  /** Or a function that fills ctx.out. */
  readonly run?: (ctx: RecipeContext) => void | Promise<void>;
}

export interface TargetDef {
  readonly [TARGET]: true;
  readonly options: TargetOptions;
  readonly at?: SourceLocation;
}

export function target(options: TargetOptions): TargetDef {
  const at = callerLocation();
  return { [TARGET]: true, options, ...(at && { at }) };
}

export const isTargetDef = (v: unknown): v is TargetDef =>
  typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TARGET] === true;
