// The guest's serial console, reached through the unix socket qemu listens on: what it prints
// is kept and searched (expect), what we send is typed as on a terminal.

import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Interval of connection attempts while qemu starts and creates the socket. */
const CONNECT_RETRY_MS = 50;

export class SerialConsole {
  readonly #socket: Socket;
  #text = '';
  /** Where the next expect starts searching: text before it was matched already. */
  #cursor = 0;
  #closed = false;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: Socket, onText: (text: string) => void) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (t: string) => {
      this.#text += t;
      onText(t);
      this.#wake();
    });
    const close = () => {
      this.#closed = true;
      this.#wake();
    };
    socket.on('close', close);
    socket.on('error', close);
  }

  /** Connects once qemu has made the socket; gives up when `signal` aborts. */
  static async connect(path: string, signal: AbortSignal, onText: (text: string) => void): Promise<SerialConsole> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const s = connect(path);
        s.once('connect', () => resolve(s));
        s.once('error', () => {
          s.destroy();
          resolve(undefined);
        });
      });
      if (socket) return new SerialConsole(socket, onText);
      await sleep(CONNECT_RETRY_MS);
    }
  }

  /**
   * Waits until the output after the last match contains one of the patterns; returns the
   * index of the pattern that matched first in the text, and the match. Rejects with the
   * signal's reason when it aborts, and with an Error when the console closes.
   */
  async expect(patterns: readonly RegExp[], signal: AbortSignal): Promise<{ index: number; match: RegExpExecArray }> {
    for (;;) {
      const found = this.#search(patterns);
      if (found) return found;
      if (signal.aborted) throw signal.reason;
      if (this.#closed) throw new Error('the serial console closed');
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.#waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Types text (a line ends with \r, as a terminal's Enter). */
  send(text: string): void {
    if (!this.#closed) this.#socket.write(text);
  }

  close(): void {
    this.#socket.destroy();
  }

  #search(patterns: readonly RegExp[]): { index: number; match: RegExpExecArray } | undefined {
    const rest = this.#text.slice(this.#cursor);
    let best: { index: number; match: RegExpExecArray } | undefined;
    patterns.forEach((p, index) => {
      const match = new RegExp(p.source, p.flags.replace('g', '')).exec(rest);
      if (match && (!best || match.index < best.match.index)) best = { index, match };
    });
    if (best) this.#cursor += best.match.index + best.match[0].length;
    return best;
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
