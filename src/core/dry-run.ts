// The dry run: what a build would do, without running a recipe or writing the store. Each
// target is decided as the build decides it (decide.ts). A target after one that would run
// cannot know its prerequisite's new output, so it "would run" only if that output changes
// (make -n says the same).

import { decide } from './decide.ts';
import type { TargetGraph } from './graph.ts';
import type { Digest, TargetId } from './ids.ts';
import { InputHasher } from './inputs.ts';
import { emptyState, type BuildState } from './state.ts';
import type { ArtifactStore } from './store.ts';
import { ToolVersions } from './tool-versions.ts';

export type PlannedStep =
  | { readonly target: TargetId; readonly action: 'cached'; readonly digest: Digest }
  | { readonly target: TargetId; readonly action: 'would-run'; readonly reasons: readonly string[] }
  | { readonly target: TargetId; readonly action: 'would-fail'; readonly reasons: readonly string[] };

export interface DryRunOptions {
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly store: Pick<ArtifactStore, 'getAction'>;
  readonly root: string;
  readonly alwaysMake?: boolean;
  readonly previous?: BuildState;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Steps in an order a build could take (prerequisites first). */
export async function dryRun(o: DryRunOptions): Promise<PlannedStep[]> {
  const previous = o.previous ?? emptyState();
  const hasher = new InputHasher(o.root, previous.stat);
  const ids = o.graph.topological(o.graph.closure(o.goals));
  const tools = await ToolVersions.ask(ids.map((id) => o.graph.spec(id)));
  const digests = new Map<TargetId, Digest>();
  return ids.map((id): PlannedStep => {
    const d = decide({
      spec: o.graph.spec(id),
      depDigests: digests,
      hasher,
      tools,
      env: o.env ?? {},
      store: o.store,
      alwaysMake: o.alwaysMake ?? false,
      previous: previous.targets[id],
    });
    switch (d.kind) {
      case 'cached':
        digests.set(id, d.digest);
        return { target: id, action: 'cached', digest: d.digest };
      case 'run':
        return { target: id, action: 'would-run', reasons: d.reasons };
      case 'wait':
        return { target: id, action: 'would-run', reasons: d.pending.map((p) => `if the output of ${p} changes`) };
      case 'fail':
        return { target: id, action: 'would-fail', reasons: [d.message] };
    }
  });
}
