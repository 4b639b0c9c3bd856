// A real pseudo-terminal for end-to-end tests of the live UI: a detached tmux session of a
// fixed size runs the command; the test reads the screen (capture-pane) and types keys
// (send-keys). Each session gets its own socket, so tests never see the user's tmux.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TerminalOptions {
  readonly columns: number;
  readonly rows: number;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export class Terminal {
  private readonly dir = mkdtempSync(join(tmpdir(), 'mkimage-tty-'));
  private readonly socket = join(this.dir, 'tmux.sock');
  private readonly exitFile = join(this.dir, 'exit');

  /** Starts `argv` in a new terminal; its exit code is kept when it ends. */
  constructor(argv: readonly string[], private readonly o: TerminalOptions) {
    const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
    // The shell outlives a Ctrl-C sent to the command (its trap is reset in the command).
    const command = `trap : INT; cd ${quote(o.cwd)} && env -u CI ${env.join(' ')} ${argv.map(quote).join(' ')}; echo $? > ${quote(this.exitFile)}; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(o.columns), '-y', String(o.rows), 'sh', '-c', command);
  }

  /** The visible screen, one string per row, trailing spaces trimmed. */
  screen(): string[] {
    return this.tmux('capture-pane', '-p', '-t', '0').split('\n').map((l) => l.trimEnd());
  }

  /**
   * The visible screen with each wrapped line joined back into one (capture-pane -J), trailing
   * spaces kept: what was written on each line, to check it fits. A row of screen() never holds
   * more than the pane's width, whatever was written: a longer line wraps onto the next row.
   */
  screenJoined(): string[] {
    return this.tmux('capture-pane', '-p', '-J', '-t', '0').split('\n');
  }

  /** The visible screen with its escape sequences (colours), for NO_COLOR checks. */
  screenWithEscapes(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', '0');
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', '0', ...keys);
  }

  /** The command's exit code once it has ended. */
  exitCode(): number | undefined {
    return existsSync(this.exitFile) ? Number(readFileSync(this.exitFile, 'utf8').trim()) : undefined;
  }

  /** Polls until `test` holds of the screen; throws with the last screen when it never does. */
  async waitFor(what: string, test: (screen: string[]) => boolean, timeoutMs = 60_000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < end) {
      last = this.screen();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last.join('\n')}`);
  }

  async waitForExit(timeoutMs = 60_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const code = this.exitCode();
      if (code !== undefined) return code;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for the command to end; the screen was:\n${this.screen().join('\n')}`);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
