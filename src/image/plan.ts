// Turns a distro's ImageConfig and an image type into engine targets, one per stage (the
// table in stages.ts), each a short recipe around one step. What each stage declares as
// inputs is exactly what its step reads: that is what makes a stage rerun, or not.
//
// Ids: stages a distro shares between its image types are `<distro>/<stage>`; the last one is
// the goal itself (`server-mini.iso`). Two distros whose bootstrap inputs are equal get equal
// fingerprints, so the engine builds it once (the target name is no input).

import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Json } from '../core/canonical.ts';
import { targetId, type TargetId } from '../core/ids.ts';
import type { RecipeContext, TargetSpec } from '../core/target.ts';
import { toolVersion } from '../proc/run.ts';
import type { ImageConfig } from './config.ts';
import { rootFrom } from './root-overlay.ts';
import { STAGES, stagesFor, type StageName } from './stages.ts';
import { bootFiles } from './steps/boot-files.ts';
import { bootstrap, HOST_APT_SOURCES } from './steps/bootstrap.ts';
import { cleanup } from './steps/cleanup.ts';
import { hooks } from './steps/hooks.ts';
import { iso } from './steps/iso.ts';
import { overlay } from './steps/overlay.ts';
import { packages } from './steps/packages.ts';
import { squashfs } from './steps/squashfs.ts';
import { tar } from './steps/tar.ts';
import { HOST_FILES, TOOLS, type Tool } from './tools.ts';

export interface PlanInput {
  readonly config: ImageConfig;
  readonly type: 'iso' | 'tar';
  /** The project root: feature paths are fingerprinted relative to it. */
  readonly root: string;
  /** The commit .disk/info names. */
  readonly commit: string;
  /** A directory of downloaded .debs shared by bootstraps (not an input: a .deb is named by its version). */
  readonly aptCache?: string;
}

/** Bump a stage's version when its step changes in a way its inputs do not show. */
const STAGE_VERSION: Record<StageName, string> = {
  bootstrap: '1',
  packages: '1',
  overlay: '1',
  hooks: '1',
  cleanup: '1',
  squashfs: '1',
  'boot-files': '1',
  iso: '1',
  tar: '1',
};

export function stageId(config: ImageConfig, type: string, stage: StageName): TargetId {
  return targetId(stage === type ? `${config.name}.${type}` : `${config.name}/${stage}`);
}

/** The stages of one image, prerequisites first. Skips `packages` when there are none. */
export function imageTargets(p: PlanInput): TargetSpec[] {
  const { config } = p;
  const wanted = stagesFor(p.type).filter((s) => s !== 'packages' || config.packages.length > 0);
  // The root a stage works on is the output of the last root stage before it.
  const rootOf = (stage: StageName): StageName => {
    const needs = STAGES[stage].needs;
    const need = needs[0]!;
    return wanted.includes(need) ? need : rootOf(need);
  };
  return wanted.map((stage) => {
    const d = describe(stage, p);
    const needs = stage === 'bootstrap' ? [] : stage === 'iso' ? (['squashfs', 'boot-files'] as const) : [rootOf(stage)];
    return {
      id: stageId(config, p.type, stage),
      description: STAGES[stage].description,
      deps: needs.map((n) => ({ id: stageId(config, p.type, n), as: n })),
      inputs: { files: d.files ?? [], values: d.values, env: [] },
      tools: Object.fromEntries((d.tools ?? []).map((t) => [t.file, memoVersion(t)])),
      // mksquashfs uses every core; boot-files takes well under a second, so it runs beside it.
      weight: stage === 'squashfs' ? 'all' : stage === 'boot-files' ? 0 : 1,
      recipe: { kind: 'image-stage', text: stage, version: STAGE_VERSION[stage] },
      run: d.run,
    } satisfies TargetSpec;
  });
}

interface StageRecipe {
  readonly values: Readonly<Record<string, Json>>;
  readonly files?: readonly string[];
  readonly tools?: readonly Tool[];
  readonly run: (ctx: RecipeContext) => Promise<void>;
}

function describe(stage: StageName, p: PlanInput): StageRecipe {
  const { config } = p;
  const full = fingerprintable(config, p.root);
  switch (stage) {
    case 'bootstrap':
      return {
        // Only what mmdebstrap reads, so distros with the same base share this stage.
        values: {
          suite: config.suite,
          variant: config.variant,
          architecture: config.architecture,
          components: [...config.components],
          mirrors: [...config.mirrors],
          basePackages: [...config.basePackages],
          sourceDateEpoch: config.sourceDateEpoch,
        },
        files: config.mirrors.length > 0 ? [] : [`${HOST_APT_SOURCES.list}*`, `${HOST_APT_SOURCES.dir}/*`],
        tools: [TOOLS.mmdebstrap],
        run: async (ctx) => {
          if (p.aptCache) await mkdir(p.aptCache, { recursive: true });
          await bootstrap(config, ctx.out, io(ctx), p.aptCache ? { aptCache: p.aptCache } : {});
        },
      };
    case 'packages':
      return { values: { packages: [...config.packages], sourceDateEpoch: config.sourceDateEpoch }, tools: [TOOLS.unshare], run: onPreviousRoot((ctx) => packages(config, ctx.out, io(ctx))) };
    case 'overlay':
      return {
        values: { overlays: full.overlays! },
        files: config.overlays.map((o) => `${relative(p.root, o.dir)}/**`),
        run: onPreviousRoot((ctx) => overlay(config, ctx.out, io(ctx))),
      };
    case 'hooks':
      return {
        values: { hooks: full.hooks!, hookEnv: { ...config.hookEnv }, sourceDateEpoch: config.sourceDateEpoch },
        files: config.hooks.map((h) => relative(p.root, h.path)),
        tools: [TOOLS.unshare],
        run: onPreviousRoot((ctx) => hooks(config, ctx.out, io(ctx))),
      };
    case 'cleanup':
      return { values: full, tools: [TOOLS.openssl, TOOLS.unshare], run: onPreviousRoot((ctx) => cleanup(config, ctx.out, io(ctx))) };
    case 'squashfs':
      return {
        values: { compression: config.compression, sourceDateEpoch: config.sourceDateEpoch },
        tools: [TOOLS.mksquashfs],
        run: (ctx) => squashfs(config, ctx.deps.cleanup!, ctx.out, io(ctx)),
      };
    case 'boot-files':
      return {
        values: full,
        files: [HOST_FILES.isolinuxBin.path, HOST_FILES.ldlinux.path, `${HOST_FILES.grubEfiModules.path}/*`],
        tools: [TOOLS.grubMkimage, TOOLS.mkfsVfat, TOOLS.mcopy],
        run: (ctx) => bootFiles(config, ctx.deps.cleanup!, ctx.out, io(ctx)),
      };
    case 'iso':
      return {
        values: { ...full, commit: p.commit },
        files: [HOST_FILES.isohybridMbr.path],
        tools: [TOOLS.xorriso],
        run: (ctx) => iso(config, { bootFiles: ctx.deps['boot-files']!, squashfs: ctx.deps.squashfs!, commit: p.commit }, ctx.out, io(ctx)),
      };
    case 'tar':
      return {
        values: { name: config.name, sourceDateEpoch: config.sourceDateEpoch },
        tools: [TOOLS.tar, ZSTD],
        run: (ctx) => tar(config, ctx.deps.cleanup!, ctx.out, io(ctx)),
      };
  }
}

/**
 * A stage that changes the root works on the previous stage's root under an overlay (or on
 * a copy of it where overlays are not available): the store entry is read-only, and ctx.out
 * becomes the new entry; the store keeps only what the stage changed (root-overlay.ts).
 */
function onPreviousRoot(step: (ctx: RecipeContext) => Promise<void>) {
  return async (ctx: RecipeContext): Promise<void> => {
    await rootFrom(Object.values(ctx.deps)[0]!, ctx);
    await step(ctx);
  };
}

/** tar --zstd runs zstd: its version shapes the tarball too. */
const ZSTD: Tool = { file: 'zstd', version: ['--version'], package: 'zstd' };

const io = (ctx: RecipeContext) => ({ signal: ctx.signal, output: ctx.output, progress: ctx.progress, tmp: ctx.tmp });

/** The config as a fingerprint value: feature paths relative to the project, so checkouts share. */
function fingerprintable(c: ImageConfig, root: string): Record<string, Json> {
  return {
    ...(JSON.parse(JSON.stringify(c)) as Record<string, Json>),
    overlays: c.overlays.map((o) => ({ feature: o.feature, dir: relative(root, o.dir), overrides: [...o.overrides] })),
    hooks: c.hooks.map((h) => ({ feature: h.feature, path: relative(root, h.path), network: h.network })),
  };
}

const versions = new Map<string, Promise<string>>();

function memoVersion(t: Tool): () => Promise<string> {
  return () => {
    const file = t.versionFile ?? t.file;
    const key = [file, ...t.version].join(' ');
    let v = versions.get(key);
    if (!v) versions.set(key, (v = toolVersion(file, t.version)));
    return v;
  };
}
