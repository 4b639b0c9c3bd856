// xorriso, for the iso stage: the hybrid image (CD and USB stick, BIOS and UEFI).

import type { ImageConfig } from '../config.ts';
import { gptDiskGuid, isoTimestamp } from '../derive.ts';
import { ISO_PATHS } from '../live-layout.ts';
import type { HostFile, Tool } from './tool.ts';

export const XORRISO: Tool = { file: 'xorriso', version: ['-version'], package: 'xorriso' };

/** The isohybrid MBR: what makes the ISO boot from a USB stick on BIOS machines. */
export const ISOHYBRID_MBR: HostFile = { path: '/usr/lib/ISOLINUX/isohdpfx.bin', package: 'isolinux' };

export interface IsoInputs {
  /** The boot-files tree (live/vmlinuz, isolinux/, boot/grub/...), grafted at the ISO's root. */
  readonly bootTree: string;
  readonly squashfs: string;
  readonly diskInfo: string;
}

export function xorrisoArgs(c: Pick<ImageConfig, 'name' | 'volumeId' | 'sourceDateEpoch'>, inputs: IsoInputs, output: string): string[] {
  const date = isoTimestamp(c.sourceDateEpoch);
  return [
    '-as',
    'mkisofs',
    '-o',
    output,
    '-V',
    c.volumeId,
    // Rock Ridge with owners 0 and normalised modes; Joliet for other systems.
    '-r',
    '-J',
    '-joliet-long',
    // Every date of the image, and the GPT GUID (random by default), from the config.
    `--modification-date=${date}`,
    '--set_all_file_dates',
    date,
    '--gpt_disk_guid',
    gptDiskGuid(c),
    // BIOS: the isohybrid MBR (USB sticks) and isolinux by El Torito (CDs).
    '-isohybrid-mbr',
    ISOHYBRID_MBR.path,
    '-c',
    `${ISO_PATHS.isolinuxDir}/boot.cat`,
    '-b',
    `${ISO_PATHS.isolinuxDir}/isolinux.bin`,
    '-no-emul-boot',
    '-boot-load-size',
    '4',
    '-boot-info-table',
    // UEFI: the FAT image as El Torito alternative, and as a GPT partition on USB sticks.
    '-eltorito-alt-boot',
    '-e',
    ISO_PATHS.efiImage,
    '-no-emul-boot',
    '-isohybrid-gpt-basdat',
    '-graft-points',
    inputs.bootTree,
    `${ISO_PATHS.squashfs}=${inputs.squashfs}`,
    `${ISO_PATHS.diskInfo}=${inputs.diskInfo}`,
  ];
}
