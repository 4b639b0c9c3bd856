// A temp project written from an object, run through the real CLI (bin/mkimage.js) with a
// store of its own; --json events come back parsed.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../src/core/events.ts';

export const BIN = fileURLToPath(new URL('../../bin/mkimage.js', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly events: EngineEvent[];
  /** Targets by event type (an engine event's, or the CLI's `written`), sorted. */
  of(type: EngineEvent['type'] | 'written'): string[];
}

export class ProjectRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'mkimage-project-'));
  readonly store: string;

  constructor(files: Record<string, string>, store?: string) {
    this.store = store ?? join(this.dir, '.store');
    this.write({ 'package.json': '{"type":"module"}', ...files });
  }

  write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      writeFileSync(join(this.dir, name), text);
    }
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Runs mkimage to completion. */
  run(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, '--store', this.store, ...args],
        { cwd: this.dir, env: { ...process.env, ...env, CI: '1' }, maxBuffer: 64 << 20 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve(result(code, stdout, stderr));
        },
      );
    });
  }

  /** Starts mkimage and leaves it running (for kill tests). */
  start(args: string[]): ChildProcess {
    return spawn(process.execPath, [BIN, '--store', this.store, ...args], {
      cwd: this.dir,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function result(code: number | null, stdout: string, stderr: string): RunResult {
  const events: EngineEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as EngineEvent);
    } catch {
      // Not an event line.
    }
  }
  return {
    code,
    stdout,
    stderr,
    events,
    of: (type) => events.filter((e) => e.type === type).map((e) => (e as { target: string }).target).sort(),
  };
}

/** Waits for a child to exit; returns its code (null if killed by a signal). */
export const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.on('exit', (code) => resolve(code)));

/** Resolves when the child's stdout has printed a line matching `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before printing ${pattern}: ${seen}`)));
  });
}

/** Mount points under a directory, from the kernel's table. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(dir));
}
