// The stages an image type goes through, and which stage needs which: every stage module, in
// the order of a build. The build plan and `mkimage graph --stages` both read it, so the
// picture is the build.

import type { Stage, StageName } from './stage.ts';
import { bootFilesStage } from './stages/boot-files.ts';
import { bootstrapStage } from './stages/bootstrap.ts';
import { cleanupStage } from './stages/cleanup.ts';
import { hooksStage } from './stages/hooks.ts';
import { isoStage } from './stages/iso.ts';
import { overlayStage } from './stages/overlay.ts';
import { packagesStage } from './stages/packages.ts';
import { squashfsStage } from './stages/squashfs.ts';
import { tarStage } from './stages/tar.ts';

export const STAGES: Readonly<Record<StageName, Stage>> = {
  bootstrap: bootstrapStage,
  packages: packagesStage,
  overlay: overlayStage,
  hooks: hooksStage,
  cleanup: cleanupStage,
  squashfs: squashfsStage,
  'boot-files': bootFilesStage,
  iso: isoStage,
  tar: tarStage,
};

/** An image type is the name of the stage that ends it (profile/image-targets.ts lists them). */
export type ImageType = Extract<StageName, 'iso' | 'tar'>;

/** The stages an image type needs, prerequisites first. */
export function stagesFor(type: ImageType): StageName[] {
  const out: StageName[] = [];
  const visit = (s: StageName) => {
    if (out.includes(s)) return;
    STAGES[s].needs.forEach(visit);
    out.push(s);
  };
  visit(type);
  return out;
}

/** The stages whose output is an image root (what `mkimage shell` can open), in build order. */
export const ROOT_STAGES: readonly StageName[] = ['bootstrap', 'packages', 'overlay', 'hooks', 'cleanup'];
