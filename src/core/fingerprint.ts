// The fingerprint of a target: the record of everything that may change its output, and its
// sha256. The record is kept in the action cache beside the output it keyed, so that --explain
// can name the field that changed since the previous build's fingerprint.

import { createHash } from 'node:crypto';
import { fingerprint, type Digest, type Fingerprint } from './ids.ts';
import { valueDiff } from './value-diff.ts';

/**
 * Bump when the meaning of a field changes: every older cache entry then misses. It also
 * stands for the engine's own code, which is in no target's recipe.
 * 4: the recipe as named parts; declared trees.
 */
export const FINGERPRINT_SCHEMA = 4;

/**
 * Everything a target's output may depend on. Every list is sorted by its first element so
 * that declaration order never changes the key.
 */
export interface FingerprintRecord {
  /** Schema of this record: a new engine must not reuse outputs keyed by an older meaning. */
  readonly schema: number;
  /**
   * What runs: the recipe kind (sh, fn, image-stage, ...), the sha256 of each named part of
   * what it runs (the shell script; the function's source; an image stage's code, module by
   * module, and its tools' argument lists; a hash keeps the records small), sorted by name, and
   * a version the author bumps when something the parts do not show changed (a helper a
   * function calls).
   */
  readonly recipe: {
    readonly kind: string;
    readonly parts: ReadonlyArray<readonly [name: string, sha256: string]>;
    readonly version: string;
  };
  /** Declared plain values as canonical JSON: the knobs of the recipe. */
  readonly values: ReadonlyArray<readonly [name: string, json: string]>;
  /** Declared environment variables: recipes see only these, so only these can matter. */
  readonly env: ReadonlyArray<readonly [name: string, value: string | null]>;
  /**
   * Declared input files and the sha256 of their content, by path relative to the project
   * root: content, not mtime, so touching a file does not rebuild; relative, so another
   * checkout of the same project hits the same cache.
   */
  readonly files: ReadonlyArray<readonly [path: string, sha256: string]>;
  /**
   * Declared input trees and the sha256 of their listing (type, permission bits, link target
   * and content of every entry, empty directories too): what a recipe that copies a directory
   * copies. Owners and times are left out: no recipe copies them from a checkout.
   */
  readonly trees: ReadonlyArray<readonly [path: string, sha256: string]>;
  /**
   * The digests of the prerequisites' OUTPUTS, not their fingerprints: a prerequisite that
   * reruns and produces the same tree leaves this record unchanged (early cutoff). Keyed by
   * the name the recipe sees them under, not by target name: the target's own name is no
   * input either, so two targets that do the same work on the same inputs share one output
   * (two distros' identical bootstrap stages are built once).
   */
  readonly deps: ReadonlyArray<readonly [name: string, output: Digest]>;
  /** Versions of the external tools the recipe declared: a new tool can change the output alone. */
  readonly tools: ReadonlyArray<readonly [tool: string, version: string]>;
}

export function hashRecord(record: FingerprintRecord): Fingerprint {
  return hashRecordJson(recordJson(record));
}

export function hashRecordJson(json: string): Fingerprint {
  return fingerprint(createHash('sha256').update(json).digest('hex'));
}

/**
 * `canonicalJson(record)`, spelled out field by field (keys in sorted order; every list is
 * sorted already): every target of every build needs it, and the generic path copies the
 * whole record to sort its keys. A test holds the two equal.
 */
export function recordJson(r: FingerprintRecord): string {
  const s = JSON.stringify;
  const { kind, parts, version } = r.recipe;
  return `{"deps":${s(r.deps)},"env":${s(r.env)},"files":${s(r.files)},"recipe":{"kind":${s(kind)},"parts":${s(parts)},"version":${s(version)}},"schema":${s(r.schema)},"tools":${s(r.tools)},"trees":${s(r.trees)},"values":${s(r.values)}}`;
}

/** A record kept as JSON (see ActionRecord.record); undefined if it is not one this engine wrote. */
export function parseRecordJson(json: string | undefined): FingerprintRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const r = JSON.parse(json) as FingerprintRecord;
    const lists = [r.values, r.env, r.files, r.trees, r.deps, r.tools, r.recipe?.parts];
    return typeof r.schema === 'number' && typeof r.recipe === 'object' && r.recipe !== null && lists.every(Array.isArray) ? r : undefined;
  } catch {
    return undefined;
  }
}

export const byFirst = <T extends readonly [string, ...unknown[]]>(a: T, b: T): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/**
 * Why a record differs from the previous build's, as short sentences (one per changed
 * entry), most significant first. Empty when equal.
 */
export function explainChange(before: FingerprintRecord, after: FingerprintRecord): string[] {
  const why: string[] = [];
  if (before.schema !== after.schema) return [`fingerprint schema ${before.schema} -> ${after.schema} (a new mkimage)`];
  if (before.recipe.kind !== after.recipe.kind) why.push(`recipe kind ${before.recipe.kind} -> ${after.recipe.kind}`);
  else why.push(...diffPairs('recipe:', before.recipe.parts, after.recipe.parts, false));
  if (before.recipe.version !== after.recipe.version) {
    why.push(`recipe version ${before.recipe.version || '(none)'} -> ${after.recipe.version || '(none)'}`);
  }
  why.push(...diffValues(before.values, after.values));
  why.push(...diffPairs('env', before.env, after.env, true));
  why.push(...diffPairs('file', before.files, after.files, false));
  why.push(...diffPairs('tree', before.trees, after.trees, false));
  why.push(...diffPairs('prerequisite', before.deps, after.deps, false, 'output changed'));
  why.push(...diffPairs('tool', before.tools, after.tools, true));
  return why;
}

/** A changed value says what changed inside it: a line per difference (value-diff.ts). */
function diffValues(before: FingerprintRecord['values'], after: FingerprintRecord['values']): string[] {
  const old = new Map(before);
  const now = new Map(after);
  const out: string[] = [];
  for (const [key, json] of after) {
    const was = old.get(key);
    if (was === undefined) out.push(`value ${key} added`);
    else out.push(...valueDiff(was, json).map((d) => `value ${key}: ${d}`));
  }
  for (const [key] of before) if (!now.has(key)) out.push(`value ${key} removed`);
  return out;
}

function diffPairs(
  kind: string,
  before: ReadonlyArray<readonly [string, unknown]>,
  after: ReadonlyArray<readonly [string, unknown]>,
  showValues: boolean,
  changed = 'changed',
): string[] {
  const old = new Map(before);
  const now = new Map(after);
  const out: string[] = [];
  for (const [key, value] of now) {
    if (!old.has(key)) out.push(`${kind} ${key} added`);
    else if (old.get(key) !== value) {
      out.push(showValues ? `${kind} ${key}: ${show(old.get(key))} -> ${show(value)}` : `${kind} ${key} ${changed}`);
    }
  }
  for (const key of old.keys()) if (!now.has(key)) out.push(`${kind} ${key} removed`);
  return out;
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
