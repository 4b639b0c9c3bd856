// Turns a distro's ImageConfig and an image type into engine targets, one per stage of the
// pipeline. What a stage declares (stage.ts) is what its target's fingerprint is made of: the
// part of the config its step reads, its files, trees and tools, and what it runs, code
// included. That is what makes a stage rerun, or not.
//
// Ids: stages a distro shares between its image types are `<distro>/<stage>`; the last one is
// the goal itself (`server-mini.iso`). Two distros whose bootstrap inputs are equal get equal
// fingerprints, so the engine builds it once (the target name is no input).

import { targetId, type TargetId } from '../core/ids.ts';
import type { TargetSpec, ToolProbe } from '../core/target.ts';
import { toolVersion } from '../proc/tool-version.ts';
import type { ImageConfig } from './config.ts';
import { STAGES, stagesFor, type ImageType } from './pipeline.ts';
import { builtRepoDep } from './stages/packages.ts';
import type { StageContext, StageName } from './stage.ts';
import { toolProbe, type Tool } from './tools/tool.ts';

export interface PlanInput extends StageContext {
  readonly config: ImageConfig;
  readonly type: ImageType;
}

export function stageId(config: Pick<ImageConfig, 'name'>, type: string, stage: StageName): TargetId {
  return targetId(stage === type ? `${config.name}.${type}` : `${config.name}/${stage}`);
}

/** The stages of one image, prerequisites first. Skips `packages` when there are none. */
export function imageTargets(p: PlanInput): TargetSpec[] {
  const { config, type } = p;
  const wanted = stagesFor(type).filter((s) => s !== 'packages' || config.packages.length > 0 || (config.built?.length ?? 0) > 0);
  // A stage left out is read through: its dependents read what it would have read.
  const present = (stage: StageName): StageName => (wanted.includes(stage) ? stage : present(STAGES[stage].needs[0]!));
  return wanted.map((name) => {
    const stage = STAGES[name];
    const planned = stage.plan(config, p);
    return {
      id: stageId(config, type, name),
      description: stage.description,
      deps: [
        ...stage.needs.map(present).map((n) => ({ id: stageId(config, type, n), as: n })),
        // The packages stage reads the repositories of the project's builds the image takes.
        ...(name === 'packages' ? (config.built ?? []).map((b) => ({ id: targetId(b.target), as: builtRepoDep(b.source) })) : []),
      ],
      inputs: { files: planned.files, trees: planned.trees, values: planned.values, env: [] },
      tools: Object.fromEntries(planned.tools.map((t) => [t.file, toolProbe(t)])),
      weight: stage.weight,
      recipe: { kind: 'image-stage', parts: planned.parts, version: '' },
      run: planned.run,
    } satisfies TargetSpec;
  });
}
