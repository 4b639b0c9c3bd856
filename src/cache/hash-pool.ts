// sha256 of many files, spread over worker threads so that hashing a large tree uses every
// core while the caller keeps walking it. Small jobs never start a worker.
//
// Why workers: measured on 50k files / 500 MB, async fs reads cost ~4 thread-pool round
// trips per file (2.5-3.7 s), WebCrypto's threaded digest is slower than OpenSSL on the
// main thread, and readFileSync+createHash in 2 workers takes ~0.7 s.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A batch is posted to a worker when it holds this many files or bytes. */
const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;
/** Batches queued per worker, so a worker never idles while its reply travels back. */
const IN_FLIGHT = 2;
/**
 * Every file is read through one reused buffer. readFileSync allocates a buffer per file,
 * garbage that a worker collects late: measured on a 650 MB image root, peak RSS 198 MB
 * with whole-file reads up to 8 MiB against 120 MB streamed, and streaming was faster.
 */
const READ_BUFFER = 1 << 20;

// Plain JavaScript evaluated in the worker: no loader (tsx) needed there, which also keeps
// worker start-up short (~30-40 ms measured). Must stay in step with hashFileSync below.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(${READ_BUFFER});
function hashFile(path) {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
parentPort.on('message', (batch) => {
  try {
    parentPort.postMessage({ ok: true, hashes: batch.map((f) => hashFile(f.path)) });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
`;

interface Job {
  readonly path: string;
  readonly size: number;
}

type Reply = { ok: true; hashes: string[] } | { ok: false; message: string };

interface Slot {
  readonly worker: Worker;
  /** First result index of each batch in flight, oldest first (a worker answers in order). */
  readonly inFlight: { start: number; jobs: Job[] }[];
}

/** Collects files with add(), hashes them in the background, and returns all in finish(). */
export class HashPool {
  readonly #results: string[] = [];
  #batch: Job[] = [];
  #batchStart = 0;
  #batchBytes = 0;
  #count = 0;
  readonly #queue: { start: number; jobs: Job[] }[] = [];
  readonly #slots: Slot[] = [];
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #maxWorkers: number;

  constructor(maxWorkers = Math.min(availableParallelism(), 4)) {
    this.#maxWorkers = Math.max(1, maxWorkers);
  }

  /** Queue a file; its hash will be at the returned index of finish()'s result. */
  add(path: string, size: number): number {
    this.#batch.push({ path, size });
    this.#batchBytes += size;
    if (this.#batch.length >= BATCH_FILES || this.#batchBytes >= BATCH_BYTES) this.#cut();
    return this.#count++;
  }

  /** Wait for every hash; the last partial batch of a job too small for workers runs here. */
  async finish(): Promise<string[]> {
    try {
      if (this.#slots.length === 0 && this.#queue.length === 0) {
        this.#batch.forEach((j, k) => (this.#results[this.#batchStart + k] = hashFileSync(j.path)));
        return this.#results;
      }
      if (this.#batch.length > 0) this.#cut();
      while (this.#failure === undefined && (this.#queue.length > 0 || this.#slots.some((s) => s.inFlight.length > 0))) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
      if (this.#failure !== undefined) throw this.#failure;
      return this.#results;
    } finally {
      await this.close();
    }
  }

  /** Stop the workers (finish() does it; call it when giving up before finish()). */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #cut(): void {
    this.#queue.push({ start: this.#batchStart, jobs: this.#batch });
    this.#batchStart += this.#batch.length;
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#slots.length < this.#maxWorkers) this.#spawn();
    this.#pump();
  }

  #spawn(): void {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, execArgv: [] }), inFlight: [] };
    slot.worker.on('message', (reply: Reply) => {
      const done = slot.inFlight.shift()!;
      if (reply.ok) reply.hashes.forEach((h, k) => (this.#results[done.start + k] = h));
      else this.#fail(new Error(reply.message));
      this.#pump();
    });
    slot.worker.on('error', (err) => this.#fail(err));
    slot.worker.on('exit', (code) => {
      if (slot.inFlight.length > 0) this.#fail(new Error(`hash worker exited with code ${code}`));
    });
    this.#slots.push(slot);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#pump();
  }

  #pump(): void {
    if (this.#failure === undefined) {
      for (const slot of this.#slots) {
        while (slot.inFlight.length < IN_FLIGHT && this.#queue.length > 0) {
          const batch = this.#queue.shift()!;
          slot.inFlight.push(batch);
          slot.worker.postMessage(batch.jobs);
        }
      }
    }
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

const buf = Buffer.allocUnsafe(READ_BUFFER);

/** The same as the worker's hashFile, for the few files hashed on the calling thread. */
export function hashFileSync(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
