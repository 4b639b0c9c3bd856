// The action cache (fingerprint -> the output it produced) and the engine's small state
// documents: one JSON file each, replaced atomically. A record counts only while its tree is
// still stored.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, type Digest } from '../core/ids.ts';
import { readJson, readJsonSync, type StoreLayout } from './store-layout.ts';

/**
 * An action cache record: what an action with this fingerprint produced last time. These
 * are the fields the store relies on; callers add their own (getAction/putAction are
 * generic over the full record type).
 */
export interface ActionRecord {
  readonly digest: Digest;
  /** ms since the epoch; putAction fills it in if the caller does not. */
  readonly createdAt: number;
  /** How long the action took: lets a scheduler predict, and reports show savings. */
  readonly durationMs: number;
}

export interface ActionInput {
  readonly digest: Digest;
  readonly durationMs: number;
  readonly createdAt?: number;
}

export class ActionCache {
  constructor(private readonly layout: StoreLayout) {}

  /**
   * The record for `key` if there is one and its tree is still stored. `R` is the record
   * type the caller wrote with put(); it is not checked beyond the ActionRecord fields.
   */
  get<R extends ActionRecord = ActionRecord>(key: string): R | undefined {
    const rec = readJsonSync(this.layout.actionPath(key));
    if (typeof rec !== 'object' || rec === null || !('digest' in rec) || typeof rec.digest !== 'string') return undefined;
    if (!isDigest(rec.digest) || !this.layout.has(rec.digest)) return undefined;
    return rec as R;
  }

  /** Record what `key` produced (replacing any older record). Sync: one small write + rename. */
  put<R extends ActionInput>(key: string, record: R): R & { readonly createdAt: number } {
    const full = { createdAt: Date.now(), ...record };
    this.layout.writeAtomic(this.layout.actionPath(key), JSON.stringify(full));
    return full;
  }

  /**
   * For each entry some record points at, the `target` fields of those records (the names
   * the entry was stored for: the engine writes its target id there), sorted.
   */
  async targetsByDigest(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const name of await readdir(this.layout.actions).catch(() => [] as string[])) {
      const rec = await readJson(join(this.layout.actions, name));
      if (typeof rec !== 'object' || rec === null || !('digest' in rec) || typeof rec.digest !== 'string') continue;
      const target = 'target' in rec && typeof rec.target === 'string' ? rec.target : undefined;
      if (!target) continue;
      const names = out.get(rec.digest) ?? [];
      if (!names.includes(target)) names.push(target);
      out.set(rec.digest, names.sort());
    }
    return out;
  }

  /** Drops the records that point at these entries (evicted ones). */
  async drop(digests: ReadonlySet<string>): Promise<void> {
    if (digests.size === 0) return;
    for (const name of await readdir(this.layout.actions)) {
      const path = join(this.layout.actions, name);
      const rec = await readJson(path);
      const d = typeof rec === 'object' && rec !== null && 'digest' in rec ? rec.digest : undefined;
      if (typeof d === 'string' && digests.has(d)) await rm(path, { force: true });
    }
  }

  /** A state document, or undefined if there is none (or it is not JSON). */
  readState(name: string): unknown {
    const path = this.layout.statePath(name);
    return readJsonSync(path);
  }

  /** Replace a state document atomically. */
  writeState(name: string, value: unknown): void {
    this.layout.writeAtomic(this.layout.statePath(name), JSON.stringify(value));
  }
}
