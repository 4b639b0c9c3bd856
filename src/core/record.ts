// Builds a target's fingerprint record from its spec, its prerequisites' output digests, the
// hashed input files and trees and the resolved tool versions (decide.ts), and says why a
// record that is not in the store must run.

import { createHash } from 'node:crypto';
import { byFirst, explainChange, FINGERPRINT_SCHEMA, parseRecordJson, type FingerprintRecord } from './fingerprint.ts';
import { canonicalJson } from './canonical.ts';
import type { Digest, Fingerprint, TargetId } from './ids.ts';
import type { InputHasher, ReadInputs } from './inputs.ts';
import type { TargetState } from './state.ts';
import type { ArtifactStore } from './store.ts';
import type { TargetSpec } from './target.ts';

export interface RecordInputs {
  readonly spec: TargetSpec;
  /** The output digest of each prerequisite (all are known by the time a target is decided). */
  readonly depDigests: Pick<ReadonlyMap<TargetId, Digest>, 'get'>;
  readonly hasher: InputHasher;
  /** The version of each of the spec's tools, by the name it declared. */
  readonly toolVersions: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface BuiltRecord {
  readonly record: FingerprintRecord;
  /** The inputs as read, to check after the recipe ran. */
  readonly read: ReadInputs;
}

/** Throws MissingInput for a declared file or tree that is absent. */
export function buildRecord({ spec, depDigests, hasher, toolVersions, env }: RecordInputs): BuiltRecord {
  const files = hasher.hash(spec.inputs.files);
  const trees = spec.inputs.trees.length === 0 ? [] : [...new Set(spec.inputs.trees)].map((t) => hasher.tree(t)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const record: FingerprintRecord = {
    schema: FINGERPRINT_SCHEMA,
    recipe: {
      kind: spec.recipe.kind,
      parts: hashedParts(spec.recipe.parts),
      version: spec.recipe.version,
    },
    values: Object.entries(spec.inputs.values)
      .map(([k, v]) => [k, canonicalJson(v)] as const)
      .sort(byFirst),
    env: [...new Set(spec.inputs.env)].map((name) => [name, env[name] ?? null] as const).sort(byFirst),
    files: files.map((f) => [f.path, f.sha256] as const),
    trees: trees.map((t) => [t.path, t.sha256] as const),
    deps: spec.deps.map((d) => [d.as ?? d.id, depDigests.get(d.id)!] as const).sort(byFirst),
    tools: Object.keys(spec.tools)
      .map((name) => [name, toolVersions[name] ?? ''] as const)
      .sort(byFirst),
  };
  return { record, read: { files: files.map((f) => f.abs), trees: trees.map((t) => [t.abs, t.signature] as const) } };
}

/** A spec's recipe parts, hashed and sorted once per parts object (a watch mode's builds share them). */
const partsMemo = new WeakMap<object, ReadonlyArray<readonly [string, string]>>();

function hashedParts(parts: Readonly<Record<string, string>>): ReadonlyArray<readonly [string, string]> {
  let hashed = partsMemo.get(parts);
  if (!hashed) {
    hashed = Object.entries(parts)
      .map(([name, text]) => [name, textHash(text)] as const)
      .sort(byFirst);
    partsMemo.set(parts, hashed);
  }
  return hashed;
}

/** Recipe texts repeat across targets (one function, many targets; one module, many stages): hash each once. */
const textHashes = new Map<string, string>();

function textHash(text: string): string {
  let h = textHashes.get(text);
  if (!h) textHashes.set(text, (h = createHash('sha256').update(text).digest('hex')));
  return h;
}

/**
 * Why a target whose fingerprint is not in the store must run, as short sentences: the fields
 * of its record that differ from those of its previous build's fingerprint, whose record the
 * action cache keeps (ActionRecord.record).
 */
export function reasonsToRun(
  before: TargetState | undefined,
  now: { readonly fingerprint: Fingerprint; readonly record: FingerprintRecord },
  store: Pick<ArtifactStore, 'getAction'>,
): string[] {
  if (!before) return ['no previous build'];
  const evicted = ['output not in the store (never stored, or evicted)'];
  if (before.fingerprint === now.fingerprint) return evicted;
  const old = parseRecordJson(store.getAction(before.fingerprint)?.record);
  if (!old) return ['fingerprint changed (the previous record is no longer in the store)'];
  const why = explainChange(old, now.record);
  return why.length > 0 ? why : evicted;
}
