// Runs one external command for a recipe: streams its output, kills its whole process group
// when the build is aborted (so no grandchild outlives an interrupt), and turns a non-zero
// exit into a RecipeFailure with a hint.

import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { OutputTail } from '../core/output-tail.ts';
import { RecipeFailure } from '../core/target.ts';
import { toolErrorLine } from './tool-error.ts';

export interface RunOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly output: (stream: 'stdout' | 'stderr', text: string) => void;
  readonly stdin?: string;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Lines of each stream kept to find the tool's own error line in. */
const ERROR_LINES = 200;

/** Grace period between SIGTERM and SIGKILL of an aborted process group. */
const KILL_GRACE_MS = 3000;

export async function run(file: string, args: readonly string[], o: RunOptions): Promise<void> {
  // Loaded on first use: a build where everything is cached runs no command.
  const { execa } = await import('execa');
  if (o.signal.aborted) throw o.signal.reason;
  // If mkimage itself is killed outright (SIGKILL), the command dies with it, not orphaned.
  const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, args];
  const child = execa(cmd, argv, {
    cwd: o.cwd,
    env: o.env,
    extendEnv: false,
    // Its own process group: an abort signals every process the command started.
    detached: true,
    reject: false,
    buffer: false,
    stdin: o.stdin === undefined ? 'ignore' : 'pipe',
    ...(o.stdin !== undefined && { input: o.stdin }),
    stripFinalNewline: false,
  });
  const group = child.pid;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (group) process.kill(-group, sig);
    } catch {
      // Already gone.
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  const tails = { stdout: new OutputTail(ERROR_LINES), stderr: new OutputTail(ERROR_LINES) };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.setEncoding('utf8').on('data', (t: string) => {
      tails[stream].push(t);
      o.output(stream, t);
    });
  }
  try {
    const result = await child;
    if (o.signal.aborted) throw o.signal.reason;
    if (result.failed) {
      if (result.exitCode === undefined && result.cause instanceof Error) {
        throw new RecipeFailure(`${file}: ${result.cause.message}`, { hint: hintFor(result.cause) });
      }
      const how = result.exitCode !== undefined ? `exited with ${result.exitCode}` : `was killed by ${result.signal}`;
      // The tool's own error line heads the failure; which tool and how it ended follow.
      const said = toolErrorLine(tails.stderr.last(), tails.stdout.last());
      throw new RecipeFailure(said ? `${said} (${basename(file)} ${how})` : `${file} ${how}`, {
        ...(result.exitCode !== undefined && { exitCode: result.exitCode }),
        ...(result.exitCode === 127 && { hint: 'command not found: is the program installed?' }),
        ...(result.exitCode === 126 && { hint: 'not executable: check its mode and interpreter line' }),
      });
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    // Whatever the command left running in its group dies with it.
    signalGroup('SIGKILL');
    if (killTimer) clearTimeout(killTimer);
  }
}

function hintFor(cause: Error): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'is the program installed and on PATH?';
  if (code === 'EACCES') return 'is it executable?';
  return 'see the log';
}
