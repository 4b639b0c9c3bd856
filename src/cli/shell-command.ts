// `mkimage shell DISTRO[.TYPE][:STAGE] [-- COMMAND...]`: a shell (or the command) in a
// throwaway writable copy of a stage's root as the last build stored it, in the namespaces
// hooks run in (no network unless --network). The copy is an overlay over the stored tree,
// mounted inside the shell's own mount namespace: nothing done in it reaches the store, and
// nothing of it outlives the shell, however it ends.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '../cache/local-store.ts';
import { HOST_PATH } from '../image/tools/tool.ts';
import { UNSHARE, shellArgs } from '../image/tools/unshare.ts';
import { lastBuilt } from './build-ref.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function shellCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const [what, ...command] = args;
  if (!what) {
    io.err('mkimage: shell wants an image and optionally a stage (hint: mkimage shell server-mini:hooks -- ls /etc)');
    return 2;
  }
  const colon = what.lastIndexOf(':');
  const [name, stage] = colon > 0 ? [what.slice(0, colon), what.slice(colon + 1)] : [what, undefined];
  const store = await LocalStore.open(storeRoot(options, io));
  try {
    const release = await store.acquireShared(io.signal).catch(() => undefined);
    if (!release) return 130;
    try {
      // A distro named without a type: its ISO's root (the stages before squashfs are the tarball's too).
      let built = await lastBuilt(name.includes('.') ? name : `${name}.iso`, stage, options, io, store);
      if (!built.ok && !name.includes('.')) built = await lastBuilt(`${name}.tar`, stage, options, io, store);
      if (!built.ok) {
        printDiagnostic(io, built.error);
        return 2;
      }
      const lower = store.treePath(built.value);
      const scratch = await store.scratch('shell');
      try {
        for (const d of ['root', 'upper', 'work']) mkdirSync(join(scratch.dir, d));
        const argv = command.length > 0 ? command : existsSync(join(lower, 'bin/bash')) ? ['/bin/bash', '-l'] : ['/bin/sh', '-l'];
        const code = await runOnTerminal(io, shellArgs({ root: join(scratch.dir, 'root'), lower, scratch: scratch.dir, network: options.network ?? false, command: argv }), {
          PATH: HOST_PATH,
          HOME: '/root',
          TERM: io.env.TERM ?? 'dumb',
          LC_ALL: 'C.UTF-8',
          PS1: `(${what}) \\w\\$ `,
        });
        if (code !== 0 && command.length > 0) io.err(`mkimage: ${command.join(' ')} exited with ${code}`);
        return code === 0 ? 0 : 1;
      } finally {
        await scratch.dispose();
      }
    } finally {
      await release();
    }
  } finally {
    await store.dispose();
  }
}

/** Runs unshare with the caller's terminal; while it runs, Ctrl-C is the shell's, not mkimage's. */
async function runOnTerminal(io: Io, args: string[], env: Record<string, string>): Promise<number> {
  const giveBack = io.lendTerminal?.();
  try {
    const child = spawn(UNSHARE.file, args, { stdio: 'inherit', env });
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    giveBack?.();
  }
}
