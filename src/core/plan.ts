// The dry run: what a build would do, without running a recipe or writing the store. A
// target after one that would run cannot know its prerequisite's new output, so it "would
// run" only if that output changes (make -n says the same).

import { hashRecord } from './fingerprint.ts';
import type { TargetGraph } from './graph.ts';
import type { Digest, TargetId } from './ids.ts';
import { InputHasher, MissingInput } from './inputs.ts';
import { buildRecord, reasonsToRun } from './record.ts';
import { emptyState, type BuildState } from './state.ts';
import type { ArtifactStore } from './store.ts';

export type PlannedStep =
  | { readonly target: TargetId; readonly action: 'cached'; readonly digest: Digest }
  | { readonly target: TargetId; readonly action: 'would-run'; readonly reasons: readonly string[] }
  | { readonly target: TargetId; readonly action: 'would-fail'; readonly reasons: readonly string[] };

export interface PlanOptions {
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly store: Pick<ArtifactStore, 'getAction'>;
  readonly root: string;
  readonly alwaysMake?: boolean;
  readonly previous?: BuildState;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Steps in an order a build could take (prerequisites first). */
export async function plan(o: PlanOptions): Promise<PlannedStep[]> {
  const previous = o.previous ?? emptyState();
  const hasher = new InputHasher(o.root, previous.stat);
  const ids = o.graph.topological(o.graph.closure(o.goals));
  const toolVersions = new Map<string, string>();
  const toolErrors = new Map<string, string>();
  await Promise.all(
    ids.flatMap((id) =>
      Object.entries(o.graph.spec(id).tools).map(async ([name, probe]) => {
        try {
          toolVersions.set(`${id}\0${name}`, await probe());
        } catch (e) {
          toolErrors.set(id, `tool ${name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    ),
  );
  const digests = new Map<TargetId, Digest>();
  const steps: PlannedStep[] = [];
  for (const id of ids) {
    const spec = o.graph.spec(id);
    const toolError = toolErrors.get(id);
    if (toolError) {
      steps.push({ target: id, action: 'would-fail', reasons: [toolError] });
      continue;
    }
    const pending = spec.deps.filter((d) => !digests.has(d.id)).map((d) => d.id);
    if (pending.length > 0) {
      steps.push({ target: id, action: 'would-run', reasons: pending.map((d) => `if the output of ${d} changes`) });
      continue;
    }
    let built;
    try {
      built = buildRecord({ spec, depDigests: digests, hasher, toolVersions, env: o.env ?? {} });
    } catch (e) {
      if (!(e instanceof MissingInput)) throw e;
      steps.push({ target: id, action: 'would-fail', reasons: [e.message] });
      continue;
    }
    const fingerprint = hashRecord(built.record);
    const hit = o.alwaysMake ? undefined : o.store.getAction(fingerprint);
    if (hit) {
      digests.set(id, hit.digest);
      steps.push({ target: id, action: 'cached', digest: hit.digest });
      continue;
    }
    const reasons = o.alwaysMake
      ? ['-B/--always-make']
      : reasonsToRun(previous.targets[id], { fingerprint, record: built.record }, o.store);
    steps.push({ target: id, action: 'would-run', reasons });
  }
  return steps;
}
