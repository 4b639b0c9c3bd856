// Watch mode in-process on a temp copy of a fixture: the real build cycle, real chokidar on
// the real file system, and a view that records every status and every build's events so
// a test can wait for them. Waits are for events, never for wall-clock time.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../../src/core/events.ts';
import type { ExitCode } from '../../../src/cli/io.ts';
import type { Options } from '../../../src/cli/options.ts';
import { watchCommand } from '../../../src/cli/watch-command.ts';
import type { WatchStatus, WatchView } from '../../../src/watch/view.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Long enough for a loaded CI machine; a test that waits this long has failed. */
const WAIT_MS = 60_000;

type StatusOf<T extends WatchStatus['type']> = Extract<WatchStatus, { type: T }>;

export class WatchRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'mkimage-watch-'));
  readonly store = join(this.dir, '.store');
  readonly statuses: WatchStatus[] = [];
  /** Each build's engine events, in build order. */
  readonly builds: EngineEvent[][] = [];
  readonly lines: string[] = [];
  private readonly controller = new AbortController();
  private readonly waiters = new Set<() => void>();
  private exit?: Promise<ExitCode>;

  constructor(fixture: string) {
    cpSync(join(FIXTURES, fixture), this.dir, { recursive: true });
  }

  readonly view: WatchView = {
    build: () => {
      const events: EngineEvent[] = [];
      this.builds.push(events);
      this.notify();
      return (e) => {
        events.push(e);
        this.notify();
      };
    },
    status: (s) => {
      this.statuses.push(s);
      this.notify();
    },
  };

  /** Starts watching the goals; returns at once. */
  start(goals: string[], o: { debounceMs?: number; options?: Options } = {}): void {
    this.exit = watchCommand(
      goals,
      { store: this.store, ...o.options },
      {
        out: (l) => this.lines.push(l),
        err: (l) => this.lines.push(l),
        env: process.env,
        cwd: this.dir,
        cores: 2,
        signal: this.controller.signal,
      },
      2,
      { view: this.view, debounceMs: o.debounceMs ?? 100 },
    );
    void this.exit.finally(() => this.notify());
  }

  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<ExitCode> {
    this.controller.abort(new Error('SIGINT'));
    return this.exit!;
  }

  write(file: string, text: string): void {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), text);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  of<T extends WatchStatus['type']>(type: T): StatusOf<T>[] {
    return this.statuses.filter((s): s is StatusOf<T> => s.type === type);
  }

  /** Waits for the n-th (1-based) status of a type. */
  async nth<T extends WatchStatus['type']>(type: T, n: number): Promise<StatusOf<T>> {
    await this.until(() => this.of(type).length >= n, `${n} "${type}" statuses`);
    return this.of(type)[n - 1]!;
  }

  /** Waits until the n-th (0-based) build has an event matching. */
  async event(build: number, match: (e: EngineEvent) => boolean, what: string): Promise<void> {
    await this.until(() => this.builds[build]?.some(match) ?? false, `build ${build}: ${what}`);
  }

  /** Targets of build n (0-based) that had an event of the type, sorted. */
  targets(build: number, type: EngineEvent['type']): string[] {
    return (this.builds[build] ?? [])
      .filter((e) => e.type === type)
      .map((e) => (e as { target: string }).target)
      .sort();
  }

  finished(build: number): Extract<EngineEvent, { type: 'build-finished' }> | undefined {
    return this.builds[build]?.find((e): e is Extract<EngineEvent, { type: 'build-finished' }> => e.type === 'build-finished');
  }

  async until(check: () => boolean, what: string): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}; statuses: ${JSON.stringify(this.statuses)}; builds: ${this.builds.length}`));
      }, WAIT_MS);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  async dispose(): Promise<void> {
    if (this.exit && !this.controller.signal.aborted) await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function watchRig(t: { teardown(fn: () => Promise<void>): void }, fixture = 'plain'): WatchRig {
  const rig = new WatchRig(fixture);
  t.teardown(() => rig.dispose());
  return rig;
}
