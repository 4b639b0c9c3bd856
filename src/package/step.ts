// One step of a package build as an engine target: like an image stage (image/stage.ts), its
// fingerprint is what it reads (its values), the tools it runs and its code; its prerequisites
// are other steps, by the name the recipe sees them under.

import type { Json } from '../core/canonical.ts';
import { codeParts } from '../core/code-identity.ts';
import { targetId, type TargetId } from '../core/ids.ts';
import { relative } from 'node:path';
import type { SourceLocation } from '../core/diagnostic.ts';
import { RecipeFailure, type RecipeContext, type TargetSpec } from '../core/target.ts';
import { toolProbe, type Tool } from '../image/tools/tool.ts';

export type PackageStepName = 'buildd' | 'source' | 'build-depends' | 'build-deps' | 'build';

export interface PackageStep<V extends Json> {
  readonly id: string;
  readonly step: PackageStepName;
  readonly description: string;
  /** Prerequisites by the name the recipe reads them under (`ctx.deps[as]`). */
  readonly deps: ReadonlyArray<{ readonly id: string; readonly as: string }>;
  readonly weight: number | 'all';
  /** The step's module (import.meta.url): its code and its imports' are part of the recipe. */
  readonly module: string;
  readonly values: V;
  readonly files?: readonly string[];
  readonly tools: readonly Tool[];
  /** What it runs, as texts (scripts, argument lists). */
  readonly runs?: Readonly<Record<string, string>>;
  readonly run: (values: V, ctx: RecipeContext) => Promise<void>;
  /** The declaration the step builds (features/NAME/feature.ts:LINE): its failures name it. No input. */
  readonly at?: SourceLocation;
}

export function packageTarget<V extends Json>(s: PackageStep<V>): TargetSpec {
  const runs = Object.entries(s.runs ?? {}).map(([name, text]) => [`runs ${name}`, text]);
  return {
    id: targetId(s.id),
    description: s.description,
    deps: s.deps.map((d) => ({ id: targetId(d.id), as: d.as })),
    inputs: { files: s.files ?? [], trees: [], values: { step: s.step, ...(s.values as Record<string, Json>) }, env: [] },
    tools: Object.fromEntries(s.tools.map((t) => [t.file, toolProbe(t)])),
    weight: s.weight,
    recipe: { kind: 'package-step', parts: { ...codeParts(s.module), ...Object.fromEntries(runs) }, version: '' },
    run: async (ctx) => {
      try {
        await s.run(s.values, ctx);
      } catch (e) {
        if (!(e instanceof RecipeFailure) || ctx.signal.aborted || !s.at) throw e;
        throw new RecipeFailure(`${e.message} (declared at ${relative(ctx.root, s.at.file)}:${s.at.line})`, e.details);
      }
    },
    ...(s.at && { at: s.at }),
  };
}

/** Target ids of a package build: `package/jansson/source`, and the build itself `package/jansson`. */
export const packageStepId = (source: string, step?: Exclude<PackageStepName, 'buildd'>): TargetId =>
  targetId(step === undefined || step === 'build' ? `package/${source}` : `package/${source}/${step}`);
export const builddId = (suite: string, architecture: string): TargetId => targetId(`buildd/${suite}-${architecture}`);
