// What to do with one target whose prerequisites are decided: the one decision that both the
// build (engine.ts) and the dry run (dry-run.ts) take, so that `-n` can never say something
// the build does not do. Synchronous: it is on the no-op path of every target.

import type { FailureReason } from './events.ts';
import { hashRecordJson, recordJson } from './fingerprint.ts';
import type { Digest, Fingerprint, TargetId } from './ids.ts';
import { MissingInput, type InputHasher, type ReadInputs } from './inputs.ts';
import { buildRecord, reasonsToRun } from './record.ts';
import type { TargetState } from './state.ts';
import type { ArtifactStore } from './store.ts';
import type { TargetSpec } from './target.ts';
import type { ToolVersions } from './tool-versions.ts';

export type Decision =
  /** It cannot be fingerprinted: a tool or an input is missing. */
  | { readonly kind: 'fail'; readonly reason: Extract<FailureReason, 'tool-missing' | 'input-missing'>; readonly message: string; readonly hint?: string }
  /** A prerequisite's output is not known yet (only in a dry run, where nothing runs). */
  | { readonly kind: 'wait'; readonly pending: readonly TargetId[] }
  /** Its fingerprint is in the store. */
  | { readonly kind: 'cached'; readonly fingerprint: Fingerprint; readonly digest: Digest; readonly durationMs: number }
  /** Its recipe must run. */
  | {
      readonly kind: 'run';
      readonly fingerprint: Fingerprint;
      /** Its fingerprint record as JSON, for the action cache (a fraction of the objects' size while it waits). */
      readonly record: string;
      /** What it reads, to check that none of it changed while it ran. */
      readonly read: ReadInputs;
      /** Why, in short sentences: what changed since the previous build. */
      readonly reasons: readonly string[];
    };

export interface DecisionInputs {
  readonly spec: TargetSpec;
  /** Output digests of the prerequisites decided so far (cached or built). */
  readonly depDigests: Pick<ReadonlyMap<TargetId, Digest>, 'get'>;
  readonly hasher: InputHasher;
  readonly tools: ToolVersions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly store: Pick<ArtifactStore, 'getAction'>;
  readonly alwaysMake: boolean;
  /** The target's state after the previous build, for the reasons. */
  readonly previous: TargetState | undefined;
}

export function decide(i: DecisionInputs): Decision {
  const { spec } = i;
  let pending: TargetId[] | undefined;
  for (const d of spec.deps) if (i.depDigests.get(d.id) === undefined) (pending ??= []).push(d.id);
  if (pending) return { kind: 'wait', pending };
  const tools = i.tools.of(spec);
  if (!tools.ok) return { kind: 'fail', reason: 'tool-missing', message: tools.message, hint: 'is the tool installed?' };
  let built;
  try {
    built = buildRecord({ spec, depDigests: i.depDigests, hasher: i.hasher, toolVersions: tools.versions, env: i.env });
  } catch (e) {
    if (!(e instanceof MissingInput)) throw e;
    return { kind: 'fail', reason: 'input-missing', message: e.message, ...(spec.at && { hint: `declared at ${spec.at.file}:${spec.at.line}` }) };
  }
  const record = recordJson(built.record);
  const fingerprint = hashRecordJson(record);
  const hit = i.alwaysMake ? undefined : i.store.getAction(fingerprint);
  if (hit) return { kind: 'cached', fingerprint, digest: hit.digest, durationMs: hit.durationMs };
  const reasons = i.alwaysMake ? ['-B/--always-make'] : reasonsToRun(i.previous, { fingerprint, record: built.record }, i.store);
  return { kind: 'run', fingerprint, record, read: built.read, reasons };
}
