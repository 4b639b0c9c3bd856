// A target's full log file. Most recipes print nothing, so the file is created empty (no stale
// log of an earlier run may stay) and a stream, with its buffers and callbacks, is opened only
// for a recipe that prints.

import { close, createWriteStream, open, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TargetId } from './ids.ts';

export class TargetLog {
  private stream: WriteStream | undefined;

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
    (this.stream ??= createWriteStream(this.path, { fd: this.fd })).write(text);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    else await closeFile(this.fd);
  }
}

const openFile = promisify(open);
const closeFile = promisify(close);
