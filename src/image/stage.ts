// One stage of an image, as each module under stages/ declares it, and what the plan makes of
// it. A stage says which stages it reads; which part of the config its step reads (that part,
// and nothing else, is given to the step, and is the stage's values in the fingerprint); the
// files, trees and tools it uses; and what it runs, as data: each tool's argument list built
// with placeholder paths, the scripts and texts it writes. Its code, the module and every
// module it imports, is part of its recipe too (core/code-identity.ts). So a stage reruns when
// anything it runs changed, and only then.

import { isAbsolute, relative } from 'node:path';
import type { Json } from '../core/canonical.ts';
import { codeParts } from '../core/code-identity.ts';
import { RecipeFailure, type RecipeContext } from '../core/target.ts';
import type { ImageConfig } from './config.ts';
import type { PoolAccess } from './locked-install.ts';
import type { Tool } from './tools/tool.ts';

export type StageName = 'bootstrap' | 'packages' | 'overlay' | 'hooks' | 'cleanup' | 'squashfs' | 'boot-files' | 'iso' | 'tar';

/** What a stage knows of the build besides the config. */
export interface StageContext {
  /** The project root: paths under it are fingerprinted relative to it, so checkouts share. */
  readonly root: string;
  /** The commit .disk/info names. */
  readonly commit: string;
  /** A directory of downloaded .debs shared by bootstraps (not an input: a .deb is named by its version). */
  readonly aptCache?: string;
  /** The package pool locked stages install from (not an input: a file is named by its sha256). */
  readonly pool?: PoolAccess;
}

/** Paths in the argument lists of a stage's fingerprint: where the step puts the real ones. */
export const PLACEHOLDER = { out: '$OUT', tmp: '$TMP', root: '$ROOT' } as const;

export interface StageRecipe {
  /** Input files or globs, relative to the project root, or absolute (host files). */
  readonly files?: readonly string[];
  /** Input directories the step copies as they are (see DeclaredInputs.trees). */
  readonly trees?: readonly string[];
  readonly tools?: readonly Tool[];
  /** What it runs, by name: an argument list (with PLACEHOLDER paths) or a text (a script, a configuration file). */
  readonly runs?: Readonly<Record<string, string | readonly string[]>>;
}

export interface StageDefinition<C> {
  readonly name: StageName;
  readonly description: string;
  /** The stages whose output it reads; a root stage reads the first one's root. */
  readonly needs: readonly StageName[];
  /** Job slots (see TargetSpec.weight). */
  readonly weight: number | 'all';
  /** The stage's own module (its import.meta.url): its code is part of the recipe. */
  readonly module: string;
  /** The part of the config the step reads. */
  readonly select: (config: ImageConfig, context: StageContext) => C;
  readonly recipe: (c: C, context: StageContext) => StageRecipe;
  readonly run: (c: C, ctx: RecipeContext, context: StageContext) => Promise<void>;
  /**
   * Says more of an expected failure from what the config knows beyond the selected part
   * (which mixin added a package apt cannot find): words only, never what is built.
   */
  readonly explain?: (failure: RecipeFailure, config: ImageConfig) => RecipeFailure;
}

/** A stage of one image, ready to become an engine target. */
export interface PlannedStage {
  readonly values: Readonly<Record<string, Json>>;
  readonly files: readonly string[];
  readonly trees: readonly string[];
  readonly tools: readonly Tool[];
  /** Its code and what it runs: the recipe's parts. */
  readonly parts: Readonly<Record<string, string>>;
  readonly run: (ctx: RecipeContext) => Promise<void>;
}

export interface Stage {
  readonly name: StageName;
  readonly description: string;
  readonly needs: readonly StageName[];
  readonly weight: number | 'all';
  plan(config: ImageConfig, context: StageContext): PlannedStage;
}

export function defineStage<C extends object>(d: StageDefinition<C>): Stage {
  return {
    name: d.name,
    description: d.description,
    needs: d.needs,
    weight: d.weight,
    plan(config, context) {
      const c = d.select(config, context);
      const r = d.recipe(c, context);
      const runs = Object.entries(r.runs ?? {}).map(([name, what]) => [`runs ${name}`, typeof what === 'string' ? what : JSON.stringify(what)]);
      return {
        values: portable(c, context.root) as Record<string, Json>,
        files: r.files ?? [],
        trees: r.trees ?? [],
        tools: r.tools ?? [],
        parts: { ...codeParts(d.module), ...Object.fromEntries(runs) },
        run: async (ctx) => {
          try {
            await d.run(c, ctx, context);
          } catch (e) {
            throw d.explain && e instanceof RecipeFailure && !ctx.signal.aborted ? d.explain(e, config) : e;
          }
        },
      };
    },
  };
}

/** The selected config as plain JSON, with paths inside the project relative to it. */
function portable(value: unknown, root: string): Json {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'string' || !isAbsolute(v)) return v;
      const rel = relative(root, v);
      return rel.startsWith('..') ? v : rel;
    }),
  ) as Json;
}
