// The boot-files step: everything of the ISO but the squashfs. The kernel and initrd come out
// of the root; isolinux boots BIOS machines; a grub EFI binary in a FAT image boots UEFI ones,
// both on the serial console when the config has one.

import { copyFile, lstat, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { grubCfg, grubEmbeddedCfg, isolinuxCfg } from '../boot-config.ts';
import type { ImageConfig } from '../config.ts';
import { resolveInRoot } from '../root-path.ts';
import { runOptions, toolEnv, type StepIo } from '../step-io.ts';
import { grubMkimageArgs, HOST_FILES, ISO_PATHS, mcopyArgs, mkfsVfatArgs, mmdArgs, MTOOLS_ENV, TOOLS } from '../tools.ts';

export async function bootFiles(config: ImageConfig, root: string, out: string, io: StepIo): Promise<void> {
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

async function writeIsolinux(config: ImageConfig, out: string): Promise<void> {
  const dir = join(out, ISO_PATHS.isolinuxDir);
  await mkdir(dir, { recursive: true });
  await copyFile(HOST_FILES.isolinuxBin.path, join(dir, 'isolinux.bin'));
  await copyFile(HOST_FILES.ldlinux.path, join(dir, 'ldlinux.c32'));
  await writeFile(join(dir, 'isolinux.cfg'), isolinuxCfg(config));
}

async function writeGrubCfg(config: ImageConfig, out: string): Promise<void> {
  await mkdir(join(out, ISO_PATHS.grubDir), { recursive: true });
  await writeFile(join(out, ISO_PATHS.grubDir, 'grub.cfg'), grubCfg(config));
}

/** The El Torito EFI image: a FAT file system holding EFI/BOOT/BOOTX64.EFI, nothing else. */
async function makeEfiImage(config: ImageConfig, out: string, io: StepIo): Promise<void> {
  const env = toolEnv(config, io, MTOOLS_ENV);
  const opts = runOptions(io, env);
  const embedded = join(io.tmp, 'grub-embedded.cfg');
  const efi = join(io.tmp, 'BOOTX64.EFI');
  const image = join(out, ISO_PATHS.efiImage);
  await writeFile(embedded, grubEmbeddedCfg(config));
  await run(TOOLS.grubMkimage.file, grubMkimageArgs(efi, embedded), opts);
  // mcopy -m copies this mtime into the FAT directory entry.
  await utimes(efi, config.sourceDateEpoch, config.sourceDateEpoch);
  await run(TOOLS.mkfsVfat.file, mkfsVfatArgs(config, image, efiImageKib((await stat(efi)).size)), opts);
  await run(TOOLS.mmd.file, mmdArgs(image, ['/EFI', '/EFI/BOOT']), opts);
  await run(TOOLS.mcopy.file, mcopyArgs(image, efi, '/EFI/BOOT/BOOTX64.EFI'), opts);
}

/** The binary plus 1 MiB for the file system, in whole MiB (FAT12 up to a few MiB). */
export function efiImageKib(bytes: number): number {
  return Math.ceil((bytes / 1024 + 1024) / 1024) * 1024;
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}
