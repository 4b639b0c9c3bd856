// A target's full log file. Most recipes print nothing, so the file is created empty (no stale
// log of an earlier run may stay) and a stream, with its buffers and callbacks, is opened only
// for a recipe that prints.

import { close, createWriteStream, open, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TargetId } from './ids.ts';

export class TargetLog {
  private stream: WriteStream | undefined;
  /**
   * The log file could not be written (its disk is full): what the recipe prints after that
   * reaches the tail in memory and the loggers, not the file. A full disk fails the recipe or
   * the store on its own; a log that stops short must not crash the build.
   */
  private lost = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /** Off the main thread, as a stream would: creating 10,000 files is slow on some filesystems. */
  static async open(logsDir: string, id: TargetId): Promise<TargetLog> {
    const path = join(logsDir, `${id.replaceAll('/', '__')}.log`);
    return new TargetLog(path, await openFile(path, 'w'));
  }

  write(text: string): void {
    if (this.lost) return;
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { fd: this.fd });
      this.stream.on('error', () => (this.lost = true));
    }
    this.stream.write(text);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return closeFile(this.fd);
    // Closed already when a write error destroyed it.
    if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', resolve).end());
  }
}

const openFile = promisify(open);
const closeFile = promisify(close);
