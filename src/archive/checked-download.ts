// One file from a mirror, kept only if it is the file a signed index names: hashed as it
// arrives into a temporary name beside its place, renamed into place after its size and
// sha256 matched. An interrupt or a mismatch leaves nothing behind. The pool's .debs and the
// sources' files come this way.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { fetchFailure } from './suite-index.ts';

export interface Expected {
  readonly size: number;
  readonly sha256: string;
}

/** Why a download was not kept; each caller words it for what it fetched. */
export type DownloadFailure =
  | { readonly kind: 'http'; readonly status: number; readonly statusText: string }
  | { readonly kind: 'mismatch'; readonly size: number; readonly sha256: string }
  | { readonly kind: 'unreachable'; readonly why: string };

/** Downloads of this process so far: two at once of one file write two partial files. */
let downloads = 0;

export async function downloadChecked(url: string, path: string, expected: Expected, signal?: AbortSignal): Promise<Result<void, DownloadFailure>> {
  const partial = `${path}.${process.pid}-${++downloads}.partial`;
  try {
    const res = await fetch(url, signal ? { signal } : {});
    if (!res.ok || !res.body) return fail({ kind: 'http', status: res.status, statusText: res.statusText });
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(partial);
    try {
      for await (const chunk of Readable.fromWeb(res.body as ReadableStream<Uint8Array>)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await finished(out).catch(() => undefined);
    }
    const sha256 = hash.digest('hex');
    if (size !== expected.size || sha256 !== expected.sha256) return fail({ kind: 'mismatch', size, sha256 });
    await rename(partial, path);
    return ok(undefined);
  } catch (e) {
    if (signal?.aborted) throw e;
    return fail({ kind: 'unreachable', why: fetchFailure(e) });
  } finally {
    await rm(partial, { force: true });
  }
}

/** `(123 bytes, sha256 0123...; expected 456, 89ab...)`: what came against what the index says. */
export const mismatchWords = (got: { size: number; sha256: string }, want: Expected) =>
  `(${got.size} bytes, sha256 ${got.sha256.slice(0, 16)}; expected ${want.size}, ${want.sha256.slice(0, 16)})`;
