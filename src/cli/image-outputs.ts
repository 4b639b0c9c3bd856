// Beside each image in out/: `<image>.manifest.json` (its packages, each stage's digest and
// duration) and a SHA256SUMS line. Written after the image itself, from the build's outcomes;
// a full disk or a read-only out/ is a Diagnostic naming the file, and leaves no `.tmp` behind.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { BuildResult } from '../core/engine.ts';
import { sha256File } from '../core/file-digest.ts';
import type { Digest, TargetId } from '../core/ids.ts';
import type { BuildState } from '../core/state.ts';
import { uncommittedPaths } from '../image/facts.ts';
import { LOCK_FILE } from '../archive/lock-file.ts';
import { installedPackages, withLockEntries, type ImageManifest } from '../image/manifest.ts';
import type { ImagePlan } from './image-goals.ts';
import type { Materialized } from './outputs.ts';
import { writeFailure, writeFileAtomically } from './writable.ts';

export interface ImageRecordsInput {
  /** Where an entry of the store is read (its read-only view). */
  readonly readPath: (digest: Digest) => Promise<string>;
  readonly outDir: string;
  readonly images: ImagePlan;
  readonly result: BuildResult;
  readonly previous: BuildState;
  readonly written: readonly Materialized[];
  /** The project, and the paths of its profile in it (for the manifest's `dirty`). */
  readonly projectRoot: string;
  readonly profilePaths: readonly string[];
  readonly storeRoot: string;
}

export async function writeImageRecords(o: ImageRecordsInput): Promise<Result<void>> {
  try {
    await writeRecords(o);
    return ok(undefined);
  } catch (err) {
    const failure = writeFailure(err);
    if (!failure) throw err;
    const path = (err as NodeJS.ErrnoException).path?.replace(/\.tmp$/, '') ?? o.outDir;
    return fail({ message: `cannot write ${path}: ${failure.words}`, ...(failure.noSpace && { hint: '--out DIR elsewhere, or free space' }) });
  }
}

async function writeRecords(o: ImageRecordsInput): Promise<void> {
  const sums = readSums(join(o.outDir, 'SHA256SUMS'));
  for (const image of o.images.goals) {
    const written = o.written.find((w) => w.goal === image.goal);
    for (const file of written?.paths ?? []) {
      const manifestPath = `${file}.manifest.json`;
      // An image left in place keeps its records: a no-op build hashes nothing.
      if (!existsSync(file) || (!written!.copied && existsSync(manifestPath))) continue;
      const sha256 = await sha256File(file);
      const cleanup = image.stages.find(([s]) => s === 'cleanup')?.[1];
      const cleanupDigest = cleanup ? o.result.outcomes.get(cleanup)?.digest : undefined;
      const uncommitted = uncommittedPaths(o.projectRoot, o.profilePaths);
      const manifest: ImageManifest = {
        image: basename(file),
        distro: image.config.name,
        type: image.target.type,
        suite: image.config.suite,
        bytes: statSync(file).size,
        sha256,
        sourceDateEpoch: image.config.sourceDateEpoch,
        commit: o.images.facts.commit,
        dirty: uncommitted === undefined ? null : uncommitted.length > 0,
        ...(uncommitted && uncommitted.length > 0 && { uncommitted: uncommitted.slice(0, 50) }),
        features: image.features,
        hooks: image.config.hooks.map((h) => `${h.feature}/${basename(h.path)}`),
        outputs: written!.paths,
        ...(cleanupDigest && { root: cleanupDigest, store: o.storeRoot }),
        ...(image.config.locked && { lock: { file: LOCK_FILE, distro: image.config.name, inputs: image.config.locked.inputs } }),
        packages: cleanupDigest ? withLockEntries(installedPackages(await o.readPath(cleanupDigest)), image.config.locked?.packages ?? []) : [],
        ...(image.config.built?.length && {
          built: image.config.built.map((b) => ({ source: b.source, version: b.version, target: b.target, digest: o.result.outcomes.get(b.target as TargetId)?.digest ?? '' })),
          store: o.storeRoot,
        }),
        stages: image.stages.map(([stage, id]) => {
          const outcome = o.result.outcomes.get(id);
          const durationMs = outcome?.durationMs ?? o.previous.targets[id]?.durationMs;
          return { stage, target: id, digest: outcome?.digest ?? '', status: outcome?.status ?? 'unknown', ...(durationMs !== undefined && { durationMs }) };
        }),
      };
      writeFileAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
      sums.set(basename(file), sha256);
    }
  }
  const lines = [...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, sum]) => `${sum}  ${name}\n`);
  if (lines.length > 0) writeFileAtomically(join(o.outDir, 'SHA256SUMS'), lines.join(''));
}

function readSums(path: string): Map<string, string> {
  const sums = new Map<string, string>();
  if (!existsSync(path)) return sums;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m && existsSync(join(path, '..', m[2]!))) sums.set(m[2]!, m[1]!);
  }
  return sums;
}
