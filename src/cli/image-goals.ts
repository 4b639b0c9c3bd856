// The image goals of a build (`server-mini.iso`): each resolved, reduced to an ImageConfig and
// planned into stage targets; stages shared between goals are declared once.

import { join, relative } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import type { TargetId } from '../core/ids.ts';
import type { TargetSpec } from '../core/target.ts';
import type { LockedDistro } from '../archive/lock-file.ts';
import { POOL_DIR } from '../archive/pool.ts';
import type { ImageConfig } from '../image/config.ts';
import { projectFacts, type ProjectFacts } from '../image/facts.ts';
import { imageConfig } from '../image/from-profile.ts';
import { stagesFor, type ImageType } from '../image/pipeline.ts';
import { imageTargets, stageId } from '../image/plan.ts';
import type { ImageTarget } from '../profile/image-targets.ts';
import type { Library } from '../profile/library.ts';
import { resolveDistro } from '../profile/resolve.ts';
import type { PackageBuildConfig } from '../package/config.ts';
import { builtFor, packageTargets } from '../package/plan.ts';

export interface ImageGoal {
  readonly goal: TargetId;
  readonly target: ImageTarget;
  readonly config: ImageConfig;
  /** The features applied, in order. */
  readonly features: readonly string[];
  /** Its stages, prerequisites first, by stage name. */
  readonly stages: ReadonlyArray<readonly [string, TargetId]>;
}

export interface ImagePlan {
  readonly goals: readonly ImageGoal[];
  readonly specs: readonly TargetSpec[];
  readonly facts: ProjectFacts;
  readonly warnings: readonly Diagnostic[];
}

export interface PlanOptions {
  /** `--mirror`: bootstrap from this mirror instead of the profile's (with a lock: fetch the locked files from it). */
  readonly mirror?: string;
  /** The lock entry the distro's stages install (undefined: from the archive as it is). */
  readonly lockFor?: (config: ImageConfig) => Promise<Result<LockedDistro | undefined>>;
  /** --offline: locked stages take every package from the pool. */
  readonly offline?: boolean;
  /** The project's package builds, as locked: an image takes those whose binaries its lock entry installs. */
  readonly packages?: readonly PackageBuildConfig[];
}

/** The project's commit and SOURCE_DATE_EPOCH, from the history of the library's modules. */
export const libraryFacts = (library: Library, env: Readonly<Record<string, string | undefined>>): ProjectFacts =>
  projectFacts(library.root, library.files.map((f) => relative(library.root, f)), env);

export async function planImages(
  library: Library,
  targets: readonly ImageTarget[],
  env: Readonly<Record<string, string | undefined>>,
  storeRoot: string,
  options: PlanOptions = {},
): Promise<Result<ImagePlan>> {
  const { mirror } = options;
  const root = library.root;
  const facts = libraryFacts(library, env);
  const specs = new Map<string, TargetSpec>();
  const goals: ImageGoal[] = [];
  const warnings: Diagnostic[] = [];
  for (const target of targets) {
    const profile = resolveDistro(library, target.distro.name);
    if (!profile.ok) return fail(profile.error);
    warnings.push(...profile.value.warnings);
    const config = imageConfig(profile.value, library, { sourceDateEpoch: facts.sourceDateEpoch });
    if (!config.ok) return fail(config.error);
    const type = target.type as ImageType;
    const unlocked = mirror ? { ...config.value, mirrors: [mirror] } : config.value;
    // The lock is the profile's: a mirror given for one build is where files come from, no input.
    const locked = options.lockFor ? await options.lockFor(config.value) : ok(undefined);
    if (!locked.ok) return locked;
    const installed = new Set([...(locked.value?.packages ?? []), ...(locked.value?.local ?? [])].map((p) => p.name));
    const built = builtFor({ installed, features: new Set(profile.value.features) }, options.packages ?? []);
    const lockedConfig = locked.value ? { ...config.value, locked: locked.value } : unlocked;
    const withMirror = built.length > 0 ? { ...lockedConfig, built } : lockedConfig;
    const pool = { dir: join(storeRoot, POOL_DIR), offline: options.offline ?? false, ...(mirror && { mirror }) };
    for (const spec of imageTargets({ config: withMirror, type, root, commit: facts.commit, aptCache: join(storeRoot, 'apt-cache'), pool })) {
      if (!specs.has(spec.id)) specs.set(spec.id, spec);
    }
    const stages = stagesFor(type)
      .map((s) => [s, stageId(withMirror, type, s)] as const)
      .filter(([, id]) => specs.has(id));
    goals.push({ goal: stageId(withMirror, type, type), target, config: withMirror, features: profile.value.features, stages });
  }
  if (goals.some((g) => g.config.built)) for (const spec of packageTargets(options.packages ?? [], { dir: join(storeRoot, POOL_DIR), offline: options.offline ?? false, ...(mirror && { mirror }) })) specs.set(spec.id, spec);
  return ok({ goals, specs: [...specs.values()], facts, warnings });
}
