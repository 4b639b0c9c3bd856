// Promotion: one exact release of an edition (its current one unless named) copied into another
// edition as hardlinks, the bytes that were tested and never a rebuild, once every gate passes;
// then it becomes the target's current release by one rename. A dry run stops after the gates.

import { existsSync, readFileSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closest } from '../core/suggest.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { errnoFailure } from '../cache/errors.ts';
import { RECORD, type Edition } from './edition.ts';
import { promotionGates, type Gate } from './gates.ts';
import { diffReleases, type ReleaseDiff } from './release-diff.ts';
import type { ReleaseRecord } from './release-record.ts';

export interface PromoteInput {
  readonly from: Edition;
  readonly to: Edition;
  /** The release to promote; default: the source edition's current one. */
  readonly id?: string;
  readonly dryRun: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
}

export interface Promotion {
  readonly id: string;
  readonly gates: readonly Gate[];
  /** Against what the target edition serves now (none: it serves nothing yet). */
  readonly diff?: ReleaseDiff;
  readonly served?: string;
  /** Done: the target's current release is `id`. */
  readonly promoted: boolean;
  /** The target had this release already (current now, if it was not). */
  readonly already: boolean;
}

export async function promoteRelease(p: PromoteInput): Promise<Result<Promotion>> {
  const releases = p.from.releases();
  const id = p.id ?? (await p.from.current());
  const record = releases.find((r) => r.id === id);
  if (!id || !record) {
    const ids = releases.map((r) => r.id);
    const guess = id ? closest(id, ids) : undefined;
    return fail({
      message: id ? `no release ${id} in ${p.from.distro} ${p.from.name}${ids.length > 0 ? `: it has ${ids.join(', ')}` : ': it has none'}` : `${p.from.distro} ${p.from.name} has no current release`,
      ...(guess ? { hint: `did you mean ${guess}?` } : { hint: `mkimage releases ${p.from.distro} lists them` }),
    });
  }
  const dir = p.from.releaseDir(id);
  const servedId = await p.to.current();
  const served = p.to.releases().find((r) => r.id === servedId);
  const scratch = await mkdtemp(join(tmpdir(), 'mkimage-promote-'));
  try {
    const gates = await promotionGates({ dir, record, ...(served && { served: { dir: p.to.releaseDir(served.id), record: served } }), env: p.env, signal: p.signal, tmp: scratch });
    if (!gates.ok) return gates;
    const diff = served ? diffReleases(served, record, lockOf(p.to.releaseDir(served.id)), lockOf(dir)) : undefined;
    const result = { id, gates: gates.value, ...(diff && { diff }), ...(servedId && { served: servedId }) };
    if (p.dryRun || gates.value.some((g) => !g.ok)) return ok({ ...result, promoted: false, already: false });
    const copied = await copyInto(p, record, dir);
    if (!copied.ok) return copied;
    return ok({ ...result, promoted: true, already: copied.value });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const lockOf = (dir: string): string => (existsSync(join(dir, 'mkimage.lock')) ? readFileSync(join(dir, 'mkimage.lock'), 'utf8') : '');

/** The release's files linked into the target edition under the target's lock; true when it had it already. */
async function copyInto(p: PromoteInput, record: ReleaseRecord, dir: string): Promise<Result<boolean>> {
  let unlock: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  try {
    await mkdir(p.to.releasesDir, { recursive: true });
    unlock = await p.to.lock(p.signal);
    if (p.to.releases().some((r) => r.id === record.id)) {
      if ((await p.to.current()) !== record.id) await p.to.makeCurrent(record.id);
      return ok(true);
    }
    tmp = await p.to.newTemporary();
    await linkTree(dir, tmp);
    // Its record says where it is and where it came from: a file of its own, not a link to the source's.
    await unlink(join(tmp, RECORD));
    const promoted: ReleaseRecord = { ...record, edition: p.to.name, promotedFrom: { edition: p.from.name, id: record.id } };
    await writeFile(join(tmp, RECORD), `${JSON.stringify(promoted, null, 2)}\n`);
    await rename(tmp, p.to.releaseDir(record.id));
    tmp = undefined;
    await p.to.makeCurrent(record.id);
    return ok(false);
  } catch (e) {
    const failure = errnoFailure(e);
    if (!failure) throw e;
    return fail({ message: `cannot promote into ${p.to.dir}: ${failure.words}`, hint: 'the current release of the target is as it was' });
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    await unlock?.();
  }
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (e.isDirectory()) await linkTree(join(from, e.name), join(to, e.name));
    else if (e.isFile()) {
      // Another file system (an edition on a mount of its own): the same bytes, copied.
      await link(join(from, e.name), join(to, e.name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw err;
        return copyFile(join(from, e.name), join(to, e.name));
      });
    }
  }
}
