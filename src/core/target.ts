// What the engine knows of a target: a name, prerequisites, declared inputs, and a recipe
// that fills an output directory. Nothing here knows what the recipe does.

import type { Json } from './canonical.ts';
import type { SourceLocation } from './diagnostic.ts';
import type { TargetId } from './ids.ts';

export interface Prerequisite {
  readonly id: TargetId;
  /** The name the recipe sees its output under (ctx.deps); default: the target's name. */
  readonly as?: string;
  /** Where the edge was declared: cycles are reported edge by edge with these. */
  readonly at?: SourceLocation;
}

export interface DeclaredInputs {
  /** Files or glob patterns, relative to the project root. Their content is fingerprinted. */
  readonly files: readonly string[];
  /**
   * Directories a recipe copies as they are, relative to the project root: every entry's type,
   * permission bits, link target and content is fingerprinted, empty directories and dangling
   * links included (see InputHasher.tree).
   */
  readonly trees: readonly string[];
  readonly values: Readonly<Record<string, Json>>;
  /** Names of environment variables the recipe may read; their values are fingerprinted. */
  readonly env: readonly string[];
}

/**
 * How a recipe is identified in the fingerprint (see FingerprintRecord.recipe): what it runs,
 * as named texts (a shell script; a function's source; the code of an image stage's modules,
 * the argument lists of its tools, the scripts it runs in a root), and a version its author
 * bumps for what the texts do not show. --explain names the part that changed.
 */
export interface RecipeIdentity {
  readonly kind: string;
  readonly parts: Readonly<Record<string, string>>;
  readonly version: string;
}

/**
 * How to learn a tool's version. `key` names the question (the command and the PATH it is
 * asked with): a build asks each key once, however many targets declare it, and every build
 * asks again (a tool upgraded while watch mode runs counts).
 */
export interface ToolProbe {
  readonly key: string;
  version(): Promise<string>;
}

export interface RecipeContext {
  /** For logs only: the name is not part of the fingerprint, so the output must not depend on it. */
  readonly id: TargetId;
  /** An empty directory to fill: after success, its tree is the target's output. */
  readonly out: string;
  /** A private scratch directory, removed after the recipe. */
  readonly tmp: string;
  /** Read-only paths of the prerequisites' outputs, by the name they were needed as. */
  readonly deps: Readonly<Record<string, string>>;
  /** Absolute paths of the declared input files (globs expanded), sorted. */
  readonly files: readonly string[];
  readonly values: Readonly<Record<string, Json>>;
  /** The declared environment variables that are set. */
  readonly env: Readonly<Record<string, string>>;
  readonly root: string;
  /** Aborted on Ctrl-C, on a kill, or when the build stops after another failure. */
  readonly signal: AbortSignal;
  /**
   * The job slots the recipe holds (its weight as the engine granted it, at least 1): a tool
   * that runs jobs in parallel (make -j) may run this many. Not part of the fingerprint: the
   * output must not depend on it.
   */
  readonly slots: number;
  /** Output of the recipe (or its processes), streamed to the log and the UI. */
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** Something the person should know that does not fail the target: shown by every view, kept in the log. */
  warn(message: string): void;
  /**
   * How far the recipe is, for live displays (see the Progress event). Cheap to call on every
   * line of a tool's output: the engine drops calls that change neither the whole percent nor
   * the label, and passes on at most about ten a second.
   */
  progress(p: RecipeProgress): void;
}

export interface RecipeProgress {
  /** Share done, 0..1; leave it out when only the label is known. */
  readonly fraction?: number;
  readonly label: string;
}

/** A recipe's expected failure: the engine reports it, it is not a bug. */
export class RecipeFailure extends Error {
  constructor(
    message: string,
    readonly details: { readonly exitCode?: number; readonly hint?: string } = {},
  ) {
    super(message);
    this.name = 'RecipeFailure';
  }
}

export interface TargetSpec {
  readonly id: TargetId;
  readonly description?: string;
  readonly deps: readonly Prerequisite[];
  readonly inputs: DeclaredInputs;
  /** External tools and how to learn their version (asked once per build and key). */
  readonly tools: Readonly<Record<string, ToolProbe>>;
  /**
   * Share of the machine the recipe takes, in job slots. `'all'` takes every slot, so two
   * heavy stages (a squashfs) never run at once; 0 is for a recipe too light to count (it
   * runs beside anything, even a heavy one).
   */
  readonly weight: number | 'all';
  readonly recipe: RecipeIdentity;
  readonly run: (ctx: RecipeContext) => Promise<void>;
  /** Where the target was declared. */
  readonly at?: SourceLocation;
}
