// Real image builds for the end-to-end tests. Bootstraps are minutes, so the .debs are shared
// between runs and a bootstrapped root is kept as a tarball (keyed by what the bootstrap
// reads) for the tests that start after it; steps.e2e always bootstraps for real.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageConfig } from '../../../src/image/config.ts';
import type { StepIo } from '../../../src/image/step-io.ts';
import { bootstrap } from '../../../src/image/stages/bootstrap.ts';
import { bootFiles } from '../../../src/image/stages/boot-files.ts';
import { iso, isoFileName } from '../../../src/image/stages/iso.ts';
import { squashfs } from '../../../src/image/stages/squashfs.ts';

const exec = promisify(execFile);

/** Kept between test runs: .debs and bootstrapped roots. */
export const CACHE = process.env.MKIMAGE_TEST_CACHE ?? '/var/tmp/mkimage-test';
export const APT_CACHE = join(CACHE, 'apt');

export async function scratch(prefix: string): Promise<string> {
  await mkdir(join(CACHE, 'work'), { recursive: true });
  return mkdtemp(join(CACHE, 'work', `${prefix}-`));
}

/** An io whose output goes to a log file (the e2e output stays readable). */
export function testIo(tmp: string, log: string, signal = new AbortController().signal): StepIo {
  return { signal, tmp, output: (_s, text) => appendFileSync(log, text) };
}

function bootstrapKey(c: ImageConfig): string {
  const inputs = [c.suite, c.variant, c.mirrors, c.components, c.architecture, c.basePackages, c.sourceDateEpoch];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export function cachedRootTarball(c: ImageConfig): string {
  return join(CACHE, `root-${bootstrapKey(c)}.tar`);
}

/** Bootstraps for real into `root` (empty) and keeps a tarball of it for later tests. */
export async function bootstrapAndKeep(c: ImageConfig, root: string, io: StepIo): Promise<void> {
  await mkdir(APT_CACHE, { recursive: true });
  await bootstrap(c, root, io, { aptCache: APT_CACHE });
  const tarball = cachedRootTarball(c);
  await exec('tar', ['--create', `--file=${tarball}.part`, `--directory=${root}`, '--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '.']);
  await rename(`${tarball}.part`, tarball);
}

/** A bootstrapped root: from the kept tarball, or a real bootstrap when there is none. */
export async function bootstrappedRoot(c: ImageConfig, root: string, io: StepIo): Promise<void> {
  const tarball = cachedRootTarball(c);
  if (!existsSync(tarball)) return bootstrapAndKeep(c, root, io);
  await mkdir(root, { recursive: true });
  await exec('tar', ['--extract', `--file=${tarball}`, `--directory=${root}`, '--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '--same-permissions']);
}

/** boot-files, squashfs and iso of a finished root. */
export async function assembleIso(c: ImageConfig, root: string, dir: string, io: StepIo, commit = 'test'): Promise<string> {
  const [boot, sq, out] = ['boot', 'squashfs', 'iso'].map((d) => join(dir, d)) as [string, string, string];
  for (const d of [boot, sq, out]) await mkdir(d, { recursive: true });
  await bootFiles(c, root, boot, io);
  await squashfs(c, root, sq, io);
  await iso({ ...c, commit }, { bootFiles: boot, squashfs: sq }, out, io);
  return join(out, isoFileName(c));
}

export async function sha256(file: string): Promise<string> {
  const { stdout } = await exec('sha256sum', [file]);
  return stdout.split(' ')[0]!;
}

/** Mount points at or under dir (what a step must not leave behind). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
