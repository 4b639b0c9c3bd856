// `mkimage shell DISTRO[.TYPE][:STAGE] [-- COMMAND...]`: a shell (or the command) in a
// throwaway writable copy of a stage's root as the last build stored it, in the namespaces
// hooks run in (no network unless --network). The copy is an overlay over the stored tree,
// mounted inside the shell's own mount namespace: nothing done in it reaches the store, and
// nothing of it outlives the shell, however it ends.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyDirAttributes } from '../cache/dir-attributes.ts';
import { LocalStore } from '../cache/local-store.ts';
import { fail, type Diagnostic, type Result } from '../core/diagnostic.ts';
import type { Digest } from '../core/ids.ts';
import { overlayPathsOk } from '../image/root-overlay.ts';
import { HOST_PATH } from '../image/tools/tool.ts';
import { UNSHARE, shellArgs } from '../image/tools/unshare.ts';
import { IMAGE_TYPES } from '../profile/image-targets.ts';
import { lastBuilt } from './build-ref.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function shellCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const [what, ...command] = args;
  if (!what) {
    io.err('mkimage: shell wants an image and optionally a stage (hint: mkimage shell server-mini:hooks -- ls /etc)');
    return 2;
  }
  if (process.getuid?.() !== 0) {
    io.err('mkimage: shell needs root: it mounts an overlay and makes namespaces, as hooks do (hint: sudo mkimage shell ...)');
    return 2;
  }
  const colon = what.lastIndexOf(':');
  const [name, stage] = colon > 0 ? [what.slice(0, colon), what.slice(colon + 1)] : [what, undefined];
  const store = await LocalStore.open(storeRoot(options, io));
  try {
    const release = await store.acquireShared(io.signal).catch((err: unknown) => {
      if (io.signal.aborted) return undefined;
      throw err;
    });
    if (!release) return 130;
    try {
      const built = await stageRoot(name, stage, options, io, store);
      if (!built.ok) {
        printDiagnostic(io, built.error);
        return 2;
      }
      const lower = store.treePath(built.value);
      const scratch = await store.scratch('shell');
      try {
        if (!overlayPathsOk([lower, scratch.dir])) {
          io.err(`mkimage: the store's path ${store.root} has a ',', ':' or '\\', which overlay mounts cannot take (hint: --store DIR elsewhere)`);
          return 2;
        }
        for (const d of ['root', 'upper', 'work']) mkdirSync(join(scratch.dir, d));
        // The merged root shows the upper dir's owner and mode: the stored root's.
        await copyDirAttributes(lower, join(scratch.dir, 'upper'));
        const argv = command.length > 0 ? command : existsSync(join(lower, 'bin/bash')) ? ['/bin/bash', '-l'] : ['/bin/sh', '-l'];
        const code = await runOnTerminal(io, shellArgs({ root: join(scratch.dir, 'root'), lower, scratch: scratch.dir, network: options.network ?? false, command: argv }), {
          PATH: HOST_PATH,
          HOME: '/root',
          TERM: io.env.TERM ?? 'dumb',
          LC_ALL: 'C.UTF-8',
          // Debian's bashrc puts it in the prompt: (mkimage:server-mini:hooks)root@...
          debian_chroot: `mkimage:${what}`,
          PS1: `(mkimage:${what}) \\w\\$ `,
        });
        if (io.signal.aborted) return 130;
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

/**
 * The stored root of `name` (an image, `server-mini.iso`; a distro, whose built image type is
 * taken; a plain target) at `stage` (default: cleanup, the finished root).
 */
async function stageRoot(name: string, stage: string | undefined, options: Options, io: Io, store: LocalStore): Promise<Result<Digest>> {
  if (name.includes('.')) return lastBuilt(name, stage, options, io, store);
  const tries: Array<Result<Digest>> = [];
  for (const candidate of [name, ...Object.keys(IMAGE_TYPES).map((t) => `${name}.${t}`)]) {
    const r = await lastBuilt(candidate, stage, options, io, store);
    if (r.ok) return r;
    tries.push(r);
  }
  // The most telling failure: an image that is not built or has no such stage, else the name's own.
  const errors = tries.map((r) => (r.ok ? undefined : r.error)).filter((e): e is Diagnostic => e !== undefined);
  const telling = errors.find((e) => /has not been built|has no stage/.test(e.message));
  return fail(telling ?? errors[0]!);
}

/**
 * Runs unshare with the caller's terminal. While it runs, Ctrl-C is the shell's (mkimage does
 * not abort on it); a SIGTERM or SIGHUP to mkimage kills the shell's namespace (--kill-child).
 */
async function runOnTerminal(io: Io, args: string[], env: Record<string, string>): Promise<number> {
  const giveBack = io.lendTerminal?.();
  const child = spawn(UNSHARE.file, args, { stdio: 'inherit', env });
  const kill = () => child.kill('SIGKILL');
  io.signal.addEventListener('abort', kill, { once: true });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    io.signal.removeEventListener('abort', kill);
    giveBack?.();
  }
}
