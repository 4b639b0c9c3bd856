// `mkimage boot ISO [--uefi] [--timeout S] [--login USER:PASSWORD]`: boots the image in qemu
// and checks that it reaches a login prompt (and, with --login, a running system with ssh).

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { hashFile } from '../cache/hash-file.js';
import { recordBoot, releaseOfImage } from '../publish/boot-record.ts';
import { bootCheck } from '../image/boot/boot-check.ts';
import { formatMs } from '../ui/format.ts';
import type { ExitCode, Io } from './io.ts';
import type { Options } from './options.ts';

export async function bootCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (args.length !== 1) {
    io.err('mkimage: boot wants one ISO, e.g. mkimage boot out/server-mini.iso');
    return 2;
  }
  const iso = resolve(io.cwd, args[0]!);
  if (!existsSync(iso)) {
    io.err(`mkimage: ${iso}: no such file (hint: build it first, e.g. mkimage ${args[0]!.replace(/^.*\//, '')})`);
    return 2;
  }
  const timeoutS = options.timeout === undefined ? 300 : Number(options.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    io.err(`mkimage: --timeout wants seconds, not ${options.timeout}`);
    return 2;
  }
  let login: { user: string; password: string } | undefined;
  if (options.login !== undefined) {
    const i = options.login.indexOf(':');
    if (i <= 0) {
      io.err('mkimage: --login wants USER:PASSWORD');
      return 2;
    }
    login = { user: options.login.slice(0, i), password: options.login.slice(i + 1) };
  }
  const firmware = options.uefi ? 'UEFI' : 'BIOS';
  let console = '';
  const result = await bootCheck({
    iso,
    uefi: options.uefi ?? false,
    timeoutS,
    ...(login && { login }),
    signal: io.signal,
    output: (_stream, text) => {
      if (options.verbose) process.stdout.write(text);
      console += text;
      if (console.length > 1 << 20) console = console.slice(-(1 << 19));
    },
  });
  // An image of a published release: the result goes into the release, for promotion to read.
  const release = io.signal.aborted ? undefined : releaseOfImage(iso);
  const record = async (ok: boolean, said: string) => {
    if (release) await recordBoot(release, { image: basename(iso), sha256: hashFile(iso), firmware, ok, said, at: new Date().toISOString() });
  };
  if (result.ok) {
    const state = result.state ? `, system ${result.state}${result.failedUnits?.length ? ` (failed: ${result.failedUnits.join(', ')})` : ''}, ssh active` : '';
    const said = `login prompt after ${formatMs(result.ms)} (${result.accel}: ${result.accelReason})${state}`;
    await record(true, said);
    io.out(`boot ok: ${firmware} ${said}${release ? ' (recorded in the release)' : ''}`);
    return 0;
  }
  await record(false, `${result.reason}: ${result.message}`);
  io.err(`mkimage: boot FAILED (${firmware}, ${result.accel}): ${result.reason}: ${result.message}`);
  io.err('last console lines:');
  for (const line of result.lastLines) io.err(`  | ${line}`);
  return 1;
}
