// The stages an image type goes through, and which stage needs which. The build plan and
// `mkimage graph --stages` both read this table, so the picture is the build.

export type StageName = 'bootstrap' | 'packages' | 'overlay' | 'hooks' | 'cleanup' | 'squashfs' | 'boot-files' | 'iso' | 'tar';

export interface StageInfo {
  readonly needs: readonly StageName[];
  readonly description: string;
}

export const STAGES: Readonly<Record<StageName, StageInfo>> = {
  bootstrap: { needs: [], description: 'mmdebstrap: the essential set and BASE_PACKAGES (shared by distros with the same base)' },
  packages: { needs: ['bootstrap'], description: 'apt-get install PACKAGES and LISTS on top of the bootstrap' },
  overlay: { needs: ['packages'], description: "the features' rootfs/ files, in mixin order" },
  hooks: { needs: ['overlay'], description: "the features' hooks/ scripts, inside the root" },
  cleanup: { needs: ['hooks'], description: 'machine-id, ssh host keys, apt lists and logs removed; hostname set' },
  squashfs: { needs: ['cleanup'], description: 'the live root as squashfs' },
  'boot-files': { needs: ['cleanup'], description: 'kernel, initrd, isolinux (BIOS) and grub (UEFI) with the serial console' },
  iso: { needs: ['squashfs', 'boot-files'], description: 'xorriso: hybrid BIOS+UEFI ISO' },
  tar: { needs: ['cleanup'], description: 'the image root as a reproducible tarball' },
};

/** The stages an image type needs, prerequisites first. */
export function stagesFor(type: string): StageName[] {
  const goal = type as StageName;
  if (!(goal in STAGES) || (goal !== 'iso' && goal !== 'tar')) throw new Error(`no stages for image type ${type}`);
  const out: StageName[] = [];
  const visit = (s: StageName) => {
    if (out.includes(s)) return;
    STAGES[s].needs.forEach(visit);
    out.push(s);
  };
  visit(goal);
  return out;
}
