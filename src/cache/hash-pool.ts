// sha256 of many files, spread over worker threads so that hashing a large tree uses every
// core while the caller keeps walking it. Small jobs never start a worker.
//
// Why workers: measured on 50k files / 500 MB, async fs reads cost ~4 thread-pool round
// trips per file (2.5-3.7 s), WebCrypto's threaded digest is slower than OpenSSL on the
// main thread, and readFileSync+createHash in 2 workers takes ~0.7 s.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashFile } from './hash-file.js';

/** A batch is posted to a worker when it holds this many files or bytes. */
const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;
/** Batches queued per worker, so a worker never idles while its reply travels back. */
const IN_FLIGHT = 2;
/** The worker threads' script: plain JavaScript, shared with the calling thread's hashing. */
const WORKER = new URL('./hash-file.js', import.meta.url);

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
        this.#batch.forEach((j, k) => (this.#results[this.#batchStart + k] = hashFile(j.path)));
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
    const slot: Slot = { worker: new Worker(WORKER, { workerData: { hashWorker: true }, execArgv: [] }), inFlight: [] };
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
