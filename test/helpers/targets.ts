// Builders of engine targets for unit tests: recipes are plain functions the test steers.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetId } from '../../src/core/ids.ts';
import type { RecipeContext, TargetSpec } from '../../src/core/target.ts';
import type { Json } from '../../src/core/canonical.ts';

export interface FakeTarget {
  deps?: string[];
  files?: string[];
  trees?: string[];
  values?: Record<string, Json>;
  weight?: number | 'all';
  /** Default: writes the target's name to $out/name. */
  run?: (ctx: RecipeContext) => Promise<void> | void;
  line?: number;
  /** Recipe identity; default: unique per target. */
  recipeText?: string;
}

export function specs(defs: Record<string, FakeTarget>, calls?: string[]): TargetSpec[] {
  return Object.entries(defs).map(([name, d]) => ({
    id: targetId(name),
    deps: (d.deps ?? []).map((id) => ({ id: targetId(id), at: { file: 'Targetfile.ts', line: d.line ?? 1 } })),
    inputs: { files: d.files ?? [], trees: d.trees ?? [], values: d.values ?? {}, env: [] },
    tools: {},
    weight: d.weight ?? 1,
    recipe: { kind: 'fn', parts: { function: d.recipeText ?? `test recipe of ${name}` }, version: '' },
    run: async (ctx) => {
      calls?.push(name);
      if (d.run) await d.run(ctx);
      else writeFileSync(join(ctx.out, 'name'), name);
    },
    at: { file: 'Targetfile.ts', line: d.line ?? 1 },
  }));
}

/** A promise the test resolves by hand, to hold recipes mid-run. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
