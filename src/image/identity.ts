// The configured identity of the image: hostname, locale, timezone and root password, written
// so that the same config gives the same bytes (the password hash has a derived salt).

import { lstat, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../core/target.ts';
import { runCapture } from '../proc/capture.ts';
import type { ImageConfig } from './config.ts';
import { passwordSalt } from './derive.ts';
import { runInRoot } from './in-root.ts';
import { replaceFile } from './replace-file.ts';
import { runOptions, toolEnv, type StepIo } from './step-io.ts';
import { OPENSSL, opensslPasswdArgs } from './tools/openssl.ts';

export async function writeHostname(config: Pick<ImageConfig, 'hostname'>, root: string): Promise<void> {
  await replaceFile(join(root, 'etc/hostname'), `${config.hostname}\n`);
  // Debian's way to make the hostname resolve without DNS: a 127.0.1.1 line in /etc/hosts.
  const hostsPath = join(root, 'etc/hosts');
  const hosts = await readFile(hostsPath, 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
  const kept = hosts.split('\n').filter((l) => !/^127\.0\.1\.1\s/.test(l));
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  const at = kept.findIndex((l) => /^127\.0\.0\.1\s/.test(l)) + 1;
  kept.splice(at, 0, `127.0.1.1\t${config.hostname}`);
  await replaceFile(hostsPath, `${kept.join('\n')}\n`);
}

/** C locales are built in; any other needs the locales package and is generated in the root. */
export async function writeLocale(config: Pick<ImageConfig, 'locale'>, root: string, io: StepIo): Promise<void> {
  const locale = config.locale || 'C.UTF-8';
  await replaceFile(join(root, 'etc/default/locale'), `LANG=${locale}\n`);
  if (/^(C|POSIX)(\.UTF-8|\.utf8)?$/.test(locale)) return;
  if (!(await exists(join(root, 'usr/sbin/locale-gen')))) {
    throw new RecipeFailure(`locale ${locale} needs the locales package in the image`, { hint: 'add locales to the packages, or use C.UTF-8' });
  }
  // The image's own list says which charset goes with the name (de_DE@euro is ISO-8859-15).
  const supported = await readFile(join(root, 'usr/share/i18n/SUPPORTED'), 'utf8').catch(() => '');
  const line = supported.split('\n').find((l) => l.split(' ')[0] === locale);
  if (!line) throw new RecipeFailure(`locale ${locale} is not in the image's /usr/share/i18n/SUPPORTED`, { hint: 'e.g. en_US.UTF-8' });
  await replaceFile(join(root, 'etc/locale.gen'), `${line}\n`);
  await runInRoot(root, { script: '#!/bin/sh\nexec locale-gen\n', network: false, env: {} }, io);
}

export async function writeTimezone(config: Pick<ImageConfig, 'timezone'>, root: string): Promise<void> {
  const tz = config.timezone || 'Etc/UTC';
  const localtime = join(root, 'etc/localtime');
  await rm(localtime, { force: true });
  if (await exists(join(root, 'usr/share/zoneinfo', tz))) {
    await symlink(`/usr/share/zoneinfo/${tz}`, localtime);
  } else if (!/^(Etc\/)?UTC$/.test(tz)) {
    throw new RecipeFailure(`timezone ${tz} is not in the image's /usr/share/zoneinfo`, { hint: 'is tzdata installed? is the name right (Europe/Berlin)?' });
  }
  // Without tzdata and /etc/localtime, glibc uses UTC: nothing more to do for UTC.
  await replaceFile(join(root, 'etc/timezone'), `${tz}\n`);
}

/** Sets root's password field: a sha512-crypt hash with the derived salt, or locked. */
export async function writeRootPassword(config: Pick<ImageConfig, 'name' | 'rootPassword' | 'sourceDateEpoch'>, root: string, io: StepIo): Promise<void> {
  const field =
    config.rootPassword === null
      ? '*'
      : (
          await runCapture(OPENSSL.file, opensslPasswdArgs(passwordSalt(config)), {
            ...runOptions(io, toolEnv(config, io)),
            // On stdin, not the command line, where every process could read it.
            stdin: `${config.rootPassword}\n`,
          })
        ).trim();
  await editShadow(root, (f) => (f[0] === 'root' ? [f[0], field, ...f.slice(2)] : f));
}

/** Rewrites /etc/shadow line by line (fields split at ':'), in place: mode and owner stay. */
export async function editShadow(root: string, edit: (fields: string[]) => string[]): Promise<void> {
  const path = join(root, 'etc/shadow');
  const lines = (await readFile(path, 'utf8')).split('\n');
  const out = lines.map((l) => (l === '' ? l : edit(l.split(':')).join(':')));
  await writeFile(path, out.join('\n'));
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
