// The overlay stage: the features' rootfs/ trees copied into the image root, in mixin order.
// Files become root's, keep their permission bits, and get SOURCE_DATE_EPOCH as mtime (a
// checkout's mtimes are the time of the clone). Two features writing one path is an error
// unless the later one declares the override (see overlay-ledger.ts); every clash is reported
// at once, after all features were applied.

import type { Dirent, Stats } from 'node:fs';
import { chmod, chown, copyFile, lchown, lstat, lutimes, mkdir, readdir, readlink, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { RecipeFailure } from '../../core/target.ts';
import type { ImageConfig, OverlaySource } from '../config.ts';
import { OverlayConflict } from '../errors.ts';
import { PackageOwners } from '../package-owners.ts';
import { covers, OverlayLedger, type EntryKind } from '../overlay-ledger.ts';
import { resolveInRoot } from '../root-path.ts';
import { openPreviousRoot } from '../root-overlay.ts';
import { defineStage } from '../stage.ts';
import type { StepIo } from '../step-io.ts';

export type OverlayConfig = Pick<ImageConfig, 'overlays' | 'sourceDateEpoch'>;

export const overlayStage = defineStage<OverlayConfig>({
  name: 'overlay',
  description: "the features' rootfs/ files, in mixin order",
  needs: ['packages'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({ overlays: c.overlays, sourceDateEpoch: c.sourceDateEpoch }),
  // Copied as they are: modes, links (dangling on the host too) and empty directories count.
  recipe: (c) => ({ trees: c.overlays.map((o) => o.dir) }),
  run: async (c, ctx) => {
    await openPreviousRoot(ctx);
    await overlay(c, ctx.out, ctx);
  },
});

export async function overlay(config: OverlayConfig, root: string, io: StepIo): Promise<void> {
  const ledger = new OverlayLedger();
  const made: string[] = [];
  const owners = new PackageOwners(root);
  // A file a package ships, replaced without saying so: a warning, since an upgrade of the
  // package may ask about it or put its own back.
  const replaced = async (source: OverlaySource, rel: string, dest: string) => {
    if (covers(source.overrides, dest) || covers(source.overrides, rel)) return;
    const pkg = await owners.ownerOf(dest);
    if (pkg) io.warn?.(`${source.feature}: rootfs/${rel} replaces /${dest} of package ${pkg}; if that is meant, declare it: feature({ overrides: ['${dest}'] })`);
  };
  for (const [i, source] of config.overlays.entries()) {
    if (io.signal.aborted) throw io.signal.reason;
    io.progress?.({ label: source.feature, fraction: i / config.overlays.length });
    await applyFeature(source, root, ledger, made, config.sourceDateEpoch, replaced);
  }
  if (ledger.clashes.length > 0) throw new OverlayConflict(ledger.clashes);
  // Last: every file made in a directory moved its mtime.
  for (const dir of made.reverse()) await utimes(dir, config.sourceDateEpoch, config.sourceDateEpoch);
}

type Replaced = (source: OverlaySource, rel: string, dest: string) => Promise<void>;

async function applyFeature(source: OverlaySource, root: string, ledger: OverlayLedger, made: string[], epoch: number, replaced: Replaced): Promise<void> {
  // Where each of the feature's directories landed in the root (after the root's symlinks).
  const placed = new Map<string, string>([['', '']]);
  for await (const { rel, stat } of walk(source.dir)) {
    const parent = placed.get(posix.dirname(rel) === '.' ? '' : posix.dirname(rel));
    // Its directory clashed with another feature: the clash is reported, its content skipped.
    if (parent === undefined) continue;
    const kind = kindOf(stat, source, rel);
    const dest = await resolveInRoot(root, posix.join(parent, posix.basename(rel)), kind === 'dir');
    const fromFeature = ledger.writer(dest) !== undefined;
    if (!ledger.claim(dest, rel, source.feature, kind, source.overrides)) continue;
    const from = join(source.dir, rel);
    const to = join(root, dest);
    const existing = await lstat(to).catch(() => undefined);
    if (kind === 'dir') {
      if (existing && !existing.isDirectory()) {
        throw new RecipeFailure(`${source.feature}: rootfs/${rel} is a directory, but /${dest} of the image is not`);
      }
      if (!existing) {
        await makeDir(to, stat.mode);
        made.push(to);
      }
      placed.set(rel, dest);
      continue;
    }
    if (existing?.isDirectory()) {
      if (!covers(source.overrides, dest) && !covers(source.overrides, rel)) {
        throw new RecipeFailure(`${source.feature}: rootfs/${rel} would replace the directory /${dest} of the image`, {
          hint: `declare it in the feature's overrides to replace the directory`,
        });
      }
      await rm(to, { recursive: true });
    } else if (existing) {
      if (!fromFeature) await replaced(source, rel, dest);
      await unlink(to);
    }
    if (kind === 'symlink') await copySymlink(from, to, epoch);
    else await copyRegular(from, to, stat.mode, epoch);
  }
}

function kindOf(stat: Stats, source: OverlaySource, rel: string): EntryKind {
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return 'file';
  throw new RecipeFailure(`${source.feature}: rootfs/${rel} is neither a file, a directory nor a symlink`, {
    hint: 'device nodes, fifos and sockets are made by a hook, not an overlay',
  });
}

async function makeDir(path: string, mode: number): Promise<void> {
  await mkdir(path);
  await chown(path, 0, 0);
  await chmod(path, mode & 0o7777);
}

async function copyRegular(from: string, to: string, mode: number, epoch: number): Promise<void> {
  await copyFile(from, to);
  // chown first: it clears set-id bits that chmod then restores.
  await chown(to, 0, 0);
  await chmod(to, mode & 0o7777);
  await utimes(to, epoch, epoch);
}

async function copySymlink(from: string, to: string, epoch: number): Promise<void> {
  await symlink(await readlink(from), to);
  await lchown(to, 0, 0);
  await lutimes(to, epoch, epoch);
}

/** Every entry under dir, parents before children, names in byte order. */
async function* walk(dir: string, rel = ''): AsyncGenerator<{ rel: string; stat: Stats }> {
  const entries: Dirent[] = await readdir(join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    const stat = await lstat(join(dir, r));
    yield { rel: r, stat };
    if (stat.isDirectory()) yield* walk(dir, r);
  }
}
