// The few external commands the store runs (mount, umount, cp, sync), without a shell. Not
// src/proc's run(): the store has no recipe to report to, and its failures are StoreErrors.

import { execFile } from 'node:child_process';
import { StoreError } from './errors.ts';

export interface CommandResult {
  readonly ok: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/** Run a command to completion; a non-zero exit is a value, not an exception. */
export function hostCommand(cmd: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err === null) return resolve({ ok: true, code: 0, stderr });
      const code = typeof err.code === 'number' ? err.code : null;
      // exit 127 / ENOENT: the tool is missing, say so instead of an empty stderr.
      const why = err.code === 'ENOENT' ? `${cmd}: command not found` : stderr.trim() || err.message;
      resolve({ ok: false, code, stderr: why });
    });
  });
}

/** Run a command; a failure becomes a StoreError('command-failed') naming the command. */
export async function hostCommandOrThrow(cmd: string, args: readonly string[]): Promise<void> {
  const r = await hostCommand(cmd, args);
  if (!r.ok) throw new StoreError('command-failed', `${cmd} ${args.join(' ')}: ${r.stderr}`);
}
