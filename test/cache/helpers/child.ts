// Runs test/cache/fixtures/store-child.ts in its own process and reads its JSON lines.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/store-child.ts', import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the first JSON line for which `pred` holds (rejects if the child exits first). */
  waitFor(pred: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** All lines so far. */
  readonly messages: Record<string, unknown>[];
  /** Resolves with the exit code (or signal) once the child is gone. */
  readonly exited: Promise<number | string>;
  stderr(): string;
}

export function startChild(...args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: Record<string, unknown>[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  let buf = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      messages.push(msg);
      for (const w of [...waiters]) {
        if (w.pred(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    messages,
    exited,
    stderr: () => err,
    waitFor: (pred) =>
      new Promise((resolve, reject) => {
        const seen = messages.find(pred);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ pred, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before the awaited message; stderr:\n${err}`)));
      }),
  };
}
