// A target's full log, as the log view shows it: read from the file the engine writes
// (growing while the target runs, so each refresh reads only what was appended), split the
// way a terminal would show it, and a window of it cut to the screen.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { seg, type Line } from './paint.ts';
import { OutputTail } from '../../core/output-tail.ts';
import { truncate } from './text.ts';

/** Lines kept of one log; older ones are dropped (the file has them). */
const MAX_LINES = 50_000;
/** At most this much is read of a log on opening: its end. */
const MAX_FIRST_READ = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export class LogFile {
  readonly path: string;
  #offset = 0;
  #text = new OutputTail(MAX_LINES);
  #decoder = new StringDecoder('utf8');
  #lines: string[] = [];
  #error: string | undefined;

  constructor(path: string) {
    this.path = path;
    this.refresh();
  }

  /** Reads what was appended since the last call; a file that shrank is read again. */
  refresh(): void {
    let fd: number | undefined;
    try {
      const size = statSync(this.path).size;
      if (size < this.#offset) {
        this.#offset = 0;
        this.#text = new OutputTail(MAX_LINES);
        this.#decoder = new StringDecoder('utf8');
      }
      if (size === this.#offset) return;
      if (this.#offset === 0 && size > MAX_FIRST_READ) this.#offset = size - MAX_FIRST_READ;
      fd = openSync(this.path, 'r');
      const buf = Buffer.alloc(CHUNK);
      while (this.#offset < size) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, size - this.#offset), this.#offset);
        if (n === 0) break;
        this.#offset += n;
        this.#text.push(this.#decoder.write(buf.subarray(0, n)));
      }
      this.#lines = this.#text.all();
      this.#error = undefined;
    } catch (e) {
      this.#error = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the log file is gone' : e instanceof Error ? e.message : String(e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  get error(): string | undefined {
    return this.#error;
  }
}

/** Where the view is: a first line, or following the end as the log grows. */
export type LogScroll = { readonly follow: true } | { readonly follow: false; readonly top: number };

/** The first line shown, the scroll clamped to the log. */
export function topLine(total: number, height: number, scroll: LogScroll): number {
  const last = Math.max(0, total - height);
  return scroll.follow ? last : Math.max(0, Math.min(last, scroll.top));
}

/** Moves by `delta` lines; reaching the end follows it again. */
export function scrollBy(total: number, height: number, scroll: LogScroll, delta: number): LogScroll {
  const top = topLine(total, height, scroll) + delta;
  return top >= total - height ? { follow: true } : { follow: false, top: Math.max(0, top) };
}

/** `height` lines of the log from the scroll position, each cut to `columns`. */
export function logWindow(lines: readonly string[], height: number, columns: number, scroll: LogScroll): Line[] {
  const top = topLine(lines.length, height, scroll);
  return lines.slice(top, top + height).map((l) => [seg(truncate(l, columns))]);
}
