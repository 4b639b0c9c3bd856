// The boot checks of a release's images, recorded in the release (boot/IMAGE.FIRMWARE.json)
// by `mkimage boot` run on an image inside it: what promotion's first gate reads. A record
// names the image's sha256, so a record of other bytes does not count.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RECORD } from './edition.ts';

export interface BootRecord {
  readonly image: string;
  readonly sha256: string;
  readonly firmware: 'BIOS' | 'UEFI';
  readonly ok: boolean;
  /** What it said: `login prompt after 52s (tcg), system running, ssh active`, or why it failed. */
  readonly said: string;
  readonly at: string;
}

const BOOT = 'boot';

/** The release directory an image file is in (RELEASE/images/FILE), if it is in one. */
export function releaseOfImage(image: string): string | undefined {
  const images = dirname(image);
  if (basename(images) !== 'images') return undefined;
  const release = dirname(images);
  return existsSync(join(release, RECORD)) ? release : undefined;
}

export async function recordBoot(release: string, r: BootRecord): Promise<void> {
  await mkdir(join(release, BOOT), { recursive: true });
  const file = join(release, BOOT, `${r.image}.${r.firmware}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(r, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export function bootRecords(release: string): BootRecord[] {
  const dir = join(release, BOOT);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BootRecord);
}
