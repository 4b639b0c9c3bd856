// Builds a target's fingerprint record from its spec, its prerequisites' output digests, the
// hashed input files and the resolved tool versions. Shared by the build and the dry run.

import { createHash } from 'node:crypto';
import { byFirst, FINGERPRINT_SCHEMA, type FingerprintRecord } from './fingerprint.ts';
import { canonicalJson } from './canonical.ts';
import type { Digest, TargetId } from './ids.ts';
import type { HashedFile, InputHasher } from './inputs.ts';
import type { TargetSpec } from './target.ts';

export interface RecordInputs {
  readonly spec: TargetSpec;
  readonly depDigests: ReadonlyMap<TargetId, Digest>;
  readonly hasher: InputHasher;
  readonly toolVersions: ReadonlyMap<string, string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface BuiltRecord {
  readonly record: FingerprintRecord;
  readonly files: readonly HashedFile[];
}

/** Throws MissingInput for a declared file that is absent. */
export function buildRecord({ spec, depDigests, hasher, toolVersions, env }: RecordInputs): BuiltRecord {
  const files = hasher.hash(spec.inputs.files);
  const record: FingerprintRecord = {
    schema: FINGERPRINT_SCHEMA,
    recipe: { kind: spec.recipe.kind, sha256: textHash(spec.recipe.text), version: spec.recipe.version },
    values: Object.entries(spec.inputs.values)
      .map(([k, v]) => [k, canonicalJson(v)] as const)
      .sort(byFirst),
    env: [...new Set(spec.inputs.env)].map((name) => [name, env[name] ?? null] as const).sort(byFirst),
    files: files.map((f) => [f.path, f.sha256] as const),
    deps: spec.deps.map((d) => [d.as ?? d.id, depDigests.get(d.id)!] as const).sort(byFirst),
    tools: Object.keys(spec.tools)
      .map((name) => [name, toolVersions.get(`${spec.id}\0${name}`) ?? ''] as const)
      .sort(byFirst),
  };
  return { record, files };
}

/** Recipe texts repeat across targets (one function, many targets): hash each once. */
const textHashes = new Map<string, string>();

function textHash(text: string): string {
  let h = textHashes.get(text);
  if (!h) textHashes.set(text, (h = createHash('sha256').update(text).digest('hex')));
  return h;
}
