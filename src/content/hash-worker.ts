/**
 * A sha256 computed on another core: the writer hands each chunk over and
 * goes on writing, so hashing the output for its sidecar does not take
 * turns with the main thread's other work (CRC32, blob verification, I/O).
 * The worker's code is inline, so it runs the same from dist/, under tsx,
 * and in a single-file build.
 */
import { Worker } from 'node:worker_threads';

const source = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === null) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage({ done: m.length, buffer: m.buffer }, [m.buffer]);
});
`;

/**
 * At most this many bytes wait for the worker: memory stays flat whatever
 * the bundle size. The file sink's ring absorbs the bursts now, so a
 * short queue is enough (32 MiB before it; the 8 GB create's peak RSS
 * went from 351 to 338-341 MB with the shorter queue and ring).
 */
const maxQueued = 8 * 1024 * 1024;

/**
 * Chunks are gathered into buffers of this size before they are posted:
 * the xz writer hands over 64 KiB pieces and 3-byte chunk headers, and a
 * message each would cost more than the hashing.
 */
const stageSize = 1024 * 1024;

/**
 * Each buffer comes back from the worker once hashed and is staged into
 * again: a fresh zero-filled megabyte per post cost page faults and
 * garbage collections (V8 collects when new buffers' memory grows).
 */
const keptBuffers = 8;

export class Sha256Worker {
  private readonly worker = new Worker(source, { eval: true });
  private readonly digest: Promise<string>;
  private queued = 0;
  /** Callers waiting for room in the queue: each is woken (several may wait at once). */
  private readonly drained: Array<() => void> = [];
  /** The thread has ended: nobody waits for room any more (the digest reports the failure). */
  private stopped = false;
  private stage = new Uint8Array(stageSize);
  private staged = 0;
  private readonly free: ArrayBuffer[] = [];

  constructor() {
    this.digest = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { done?: number; digest?: string; buffer?: ArrayBuffer }) => {
        if (m.digest !== undefined) resolve(m.digest);
        if (m.buffer !== undefined && this.free.length < keptBuffers) this.free.push(m.buffer);
        this.queued -= m.done ?? 0;
        if (this.queued < maxQueued) for (const go of this.drained.splice(0)) go();
      });
      this.worker.once('error', reject);
    });
    this.worker.once('exit', () => {
      this.stopped = true;
      for (const go of this.drained.splice(0)) go();
    });
    this.digest.catch(() => undefined);
  }

  /**
   * Queue a chunk (its bytes are copied into a buffer the worker then owns).
   * Returns a promise to wait for when too much is queued, else undefined.
   */
  update(chunk: Uint8Array): Promise<void> | undefined {
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(stageSize - this.staged, chunk.length - at);
      this.stage.set(chunk.subarray(at, at + n), this.staged);
      this.staged += n;
      at += n;
      if (this.staged === stageSize) this.post();
    }
    if (this.queued < maxQueued || this.stopped) return undefined;
    return new Promise((resolve) => {
      this.drained.push(resolve);
    });
  }

  /** Hands the staged bytes over to the worker (the buffer is transferred, not copied). */
  private post(): void {
    if (this.staged === 0) return;
    const buffer = this.stage.buffer;
    this.worker.postMessage({ buffer, length: this.staged }, [buffer]);
    this.queued += this.staged;
    const reused = this.free.pop();
    this.stage = reused !== undefined ? new Uint8Array(reused) : new Uint8Array(stageSize);
    this.staged = 0;
  }

  /** The hex digest of everything queued. */
  async finish(): Promise<string> {
    this.post();
    this.worker.postMessage(null);
    try {
      return await this.digest;
    } finally {
      await this.worker.terminate();
    }
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}
