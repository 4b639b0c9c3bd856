// The cleanup stage: what the build left that is no part of the image (identities of the build
// machine, caches, logs, backups) goes, the configured identity is written, and the dates in
// /etc/shadow are fixed. After it, the root is what every machine booting the image starts from.

import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import type { ImageConfig } from '../config.ts';
import { passwordSalt, shadowDay } from '../derive.ts';
import { regenerateSshKeysAtBoot } from '../first-boot.ts';
import { editShadow, writeHostname, writeLocale, writeRootPassword, writeTimezone } from '../identity.ts';
import { replaceFile } from '../replace-file.ts';
import { openPreviousRoot } from '../root-overlay.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import type { StepIo } from '../step-io.ts';
import { OPENSSL, opensslPasswdArgs } from '../tools/openssl.ts';
import { UNSHARE, unshareArgs } from '../tools/unshare.ts';

export type CleanupConfig = Pick<ImageConfig, 'name' | 'hostname' | 'locale' | 'timezone' | 'rootPassword' | 'sourceDateEpoch'>;

/** Per-machine secrets and identities: made at first boot (ssh keys by ssh-keygen -A). */
const MACHINE_STATE = [
  'etc/ssh/ssh_host_*',
  'var/lib/systemd/random-seed',
  'var/lib/systemd/credential.secret',
  'root/.bash_history',
  'root/.lesshst',
  'root/.wget-hsts',
];

/** Caches and logs of the build; apt and man-db rebuild what they need. */
const BUILD_LEFTOVERS = [
  'var/lib/apt/lists/*',
  'var/cache/apt/*.bin',
  'var/cache/apt/archives/*.deb',
  'var/cache/apt/archives/partial/*',
  'var/cache/debconf/*-old',
  'var/lib/dpkg/*-old',
  'var/cache/ldconfig/aux-cache',
  'var/cache/man/**',
  'etc/{passwd,group,shadow,gshadow,subuid,subgid}-',
  'tmp/*',
  'var/tmp/*',
  'run/*',
];

export const cleanupStage = defineStage<CleanupConfig>({
  name: 'cleanup',
  description: 'machine-id, ssh host keys, apt lists and logs removed; hostname set',
  needs: ['hooks'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({ name: c.name, hostname: c.hostname, locale: c.locale, timezone: c.timezone, rootPassword: c.rootPassword, sourceDateEpoch: c.sourceDateEpoch }),
  recipe: (c) => ({
    tools: [OPENSSL, UNSHARE],
    runs: { 'openssl passwd': opensslPasswdArgs(passwordSalt(c)), unshare: unshareArgs(PLACEHOLDER.root, false) },
  }),
  run: async (c, ctx) => {
    await openPreviousRoot(ctx);
    await cleanup(c, ctx.out, ctx);
  },
});

export async function cleanup(config: CleanupConfig, root: string, io: StepIo): Promise<void> {
  await forgetMachine(root);
  await regenerateSshKeysAtBoot(root);
  await removeLeftovers(root);
  await writeHostname(config, root);
  await writeLocale(config, root, io);
  await writeTimezone(config, root);
  await writeRootPassword(config, root, io);
  await fixShadowDates(config, root);
}

async function forgetMachine(root: string): Promise<void> {
  await remove(root, MACHINE_STATE);
  // Empty, not missing: systemd then makes a new id at boot and treats it as the first boot.
  await replaceFile(join(root, 'etc/machine-id'), '', 0o444);
  // dbus's copy, unless it is the usual link to /etc/machine-id.
  const dbus = join(root, 'var/lib/dbus/machine-id');
  if ((await lstat(dbus).catch(() => undefined))?.isFile()) await rm(dbus);
}

async function removeLeftovers(root: string): Promise<void> {
  await remove(root, BUILD_LEFTOVERS);
  // Logs: the files go, the directories (with their owners and ACLs) stay.
  for (const f of await glob('var/log/**', { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false })) {
    await rm(join(root, f), { force: true });
  }
}

/** useradd and passwd write today's date as "last password change" of every account. */
async function fixShadowDates(config: CleanupConfig, root: string): Promise<void> {
  const day = String(shadowDay(config.sourceDateEpoch));
  await editShadow(root, (f) => (f.length > 2 && f[2] !== '' ? [f[0]!, f[1]!, day, ...f.slice(3)] : f));
}

/** Removes what the patterns match inside the root, never following a link out of it. */
async function remove(root: string, patterns: readonly string[]): Promise<void> {
  const matches = await glob([...patterns], { cwd: root, dot: true, onlyFiles: false, followSymbolicLinks: false, expandDirectories: false });
  for (const m of matches.sort().reverse()) await rm(join(root, m), { recursive: true, force: true });
}
