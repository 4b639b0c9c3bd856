// The boot-files stage: everything of the ISO but the squashfs. The kernel and initrd come out
// of the root; isolinux boots BIOS machines; a grub EFI binary in a FAT image boots UEFI ones,
// both on the serial console when the config has one.

import { copyFile, lstat, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { grubCfg, grubEmbeddedCfg, isolinuxCfg, type BootMenuConfig } from '../boot-config.ts';
import type { ImageConfig } from '../config.ts';
import { ISO_PATHS } from '../live-layout.ts';
import { resolveInRoot } from '../root-path.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { GRUB_EFI_MODULES_DIR, GRUB_MKIMAGE, grubMkimageArgs, MCOPY, mcopyArgs, MKFS_VFAT, mkfsVfatArgs, MMD, mmdArgs, MTOOLS_ENV } from '../tools/efi-image.ts';
import { ISOLINUX_BIN, LDLINUX } from '../tools/isolinux.ts';

export type BootFilesConfig = BootMenuConfig & Pick<ImageConfig, 'volumeId' | 'sourceDateEpoch'>;

/** Where makeEfiImage puts the grub binary and its embedded configuration. */
const EFI_TMP = { binary: 'BOOTX64.EFI', embedded: 'grub-embedded.cfg' } as const;
/** Where the grub binary goes in the EFI image: the removable-media path firmware looks at. */
const EFI_DIRS = ['/EFI', '/EFI/BOOT'] as const;
const EFI_BINARY = '/EFI/BOOT/BOOTX64.EFI';

export const bootFilesStage = defineStage<BootFilesConfig>({
  name: 'boot-files',
  description: 'kernel, initrd, isolinux (BIOS) and grub (UEFI) with the serial console',
  needs: ['cleanup'],
  // Well under a second: it runs beside the squashfs, which takes every slot.
  weight: 0,
  module: import.meta.url,
  select: (c) => ({
    name: c.name,
    description: c.description,
    volumeId: c.volumeId,
    serial: c.serial,
    kernelCmdline: c.kernelCmdline,
    bootTimeout: c.bootTimeout,
    sourceDateEpoch: c.sourceDateEpoch,
  }),
  recipe: (c) => {
    const image = `${PLACEHOLDER.out}/${ISO_PATHS.efiImage}`;
    const efi = `${PLACEHOLDER.tmp}/${EFI_TMP.binary}`;
    return {
      files: [ISOLINUX_BIN.path, LDLINUX.path, `${GRUB_EFI_MODULES_DIR.path}/*`],
      tools: [GRUB_MKIMAGE, MKFS_VFAT, MMD, MCOPY],
      runs: {
        'grub-mkimage': grubMkimageArgs(efi, `${PLACEHOLDER.tmp}/${EFI_TMP.embedded}`),
        'mkfs.vfat': mkfsVfatArgs(c, image, '$EFI_KIB'),
        mmd: mmdArgs(image, EFI_DIRS),
        mcopy: mcopyArgs(image, efi, EFI_BINARY),
        'isolinux.cfg': isolinuxCfg(c),
        'grub.cfg': grubCfg(c),
        'grub embedded cfg': grubEmbeddedCfg(c),
      },
    };
  },
  run: (c, ctx) => bootFiles(c, ctx.deps.cleanup!, ctx.out, ctx),
});

export async function bootFiles(config: BootFilesConfig, root: string, out: string, io: StepIo): Promise<void> {
  await copyKernel(root, out);
  await writeIsolinux(config, out);
  await writeGrubCfg(config, out);
  await makeEfiImage(config, out, io);
}

async function copyKernel(root: string, out: string): Promise<void> {
  const { kernel, initrd } = await findKernel(root);
  await mkdir(join(out, 'live'), { recursive: true });
  await copyFile(join(root, kernel), join(out, ISO_PATHS.kernel));
  await copyFile(join(root, initrd), join(out, ISO_PATHS.initrd));
}

/**
 * The kernel Debian boots by default: the /vmlinuz and /initrd.img links (linux-base keeps
 * them on the newest kernel), else the only boot/vmlinuz-* there is.
 */
export async function findKernel(root: string): Promise<{ kernel: string; initrd: string }> {
  for (const dir of ['', 'boot/']) {
    const [kernel, initrd] = [await resolveInRoot(root, `${dir}vmlinuz`), await resolveInRoot(root, `${dir}initrd.img`)];
    if ((await isFile(join(root, kernel))) && (await isFile(join(root, initrd)))) return { kernel, initrd };
  }
  const kernels = (await readdir(join(root, 'boot')).catch(() => [] as string[])).filter((n) => n.startsWith('vmlinuz-')).sort();
  if (kernels.length !== 1) {
    throw new RecipeFailure(
      kernels.length === 0 ? 'no kernel in the image root (/boot/vmlinuz-*)' : `several kernels in /boot and no /vmlinuz link: ${kernels.join(', ')}`,
      { hint: kernels.length === 0 ? 'add linux-image-amd64 to the packages' : 'keep one kernel, or the /vmlinuz link' },
    );
  }
  const version = kernels[0]!.slice('vmlinuz-'.length);
  const initrd = `boot/initrd.img-${version}`;
  if (!(await isFile(join(root, initrd)))) {
    throw new RecipeFailure(`no initrd for kernel ${version} (/${initrd})`, { hint: 'is initramfs-tools installed (live-boot needs it)?' });
  }
  return { kernel: `boot/${kernels[0]}`, initrd };
}

async function writeIsolinux(config: BootMenuConfig, out: string): Promise<void> {
  const dir = join(out, ISO_PATHS.isolinuxDir);
  await mkdir(dir, { recursive: true });
  await copyFile(ISOLINUX_BIN.path, join(dir, 'isolinux.bin'));
  await copyFile(LDLINUX.path, join(dir, 'ldlinux.c32'));
  await writeFile(join(dir, 'isolinux.cfg'), isolinuxCfg(config));
}

async function writeGrubCfg(config: BootMenuConfig, out: string): Promise<void> {
  await mkdir(join(out, ISO_PATHS.grubDir), { recursive: true });
  await writeFile(join(out, ISO_PATHS.grubDir, 'grub.cfg'), grubCfg(config));
}

/** The El Torito EFI image: a FAT file system holding EFI/BOOT/BOOTX64.EFI, nothing else. */
async function makeEfiImage(config: BootFilesConfig, out: string, io: StepIo): Promise<void> {
  const env = toolEnv(config, io, MTOOLS_ENV);
  const opts = runOptions(io, env);
  const embedded = join(io.tmp, EFI_TMP.embedded);
  const efi = join(io.tmp, EFI_TMP.binary);
  const image = join(out, ISO_PATHS.efiImage);
  await writeFile(embedded, grubEmbeddedCfg(config));
  await run(GRUB_MKIMAGE.file, grubMkimageArgs(efi, embedded), opts);
  // mcopy -m copies this mtime into the FAT directory entry.
  await utimes(efi, config.sourceDateEpoch, config.sourceDateEpoch);
  await run(MKFS_VFAT.file, mkfsVfatArgs(config, image, efiImageKib((await stat(efi)).size)), opts);
  await run(MMD.file, mmdArgs(image, EFI_DIRS), opts);
  await run(MCOPY.file, mcopyArgs(image, efi, EFI_BINARY), opts);
}

/** The binary plus 1 MiB for the file system, in whole MiB (FAT12 up to a few MiB). */
export function efiImageKib(bytes: number): number {
  return Math.ceil((bytes / 1024 + 1024) / 1024) * 1024;
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}
