/**
 * A sha256 computed on another core: the writer hands each chunk over and
 * goes on writing, so hashing the output for its sidecar does not take
 * turns with the main thread's other work (CRC32, I/O). Chunks are copied
 * into staging buffers, which go to a hashing thread of their own
 * (piece-hasher.ts) and come back to be staged into again.
 */
import { PieceHasher, type PieceHash } from './piece-hasher.js';

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
  private readonly hasher = new PieceHasher();
  private readonly hash: PieceHash = this.hasher.open('sha256');
  private queued = 0;
  /** Callers waiting for room in the queue: each is woken (several may wait at once). */
  private readonly drained: Array<() => void> = [];
  /** The thread has ended: nobody waits for room any more (the digest reports the failure). */
  private stopped = false;
  private stage: Buffer = Buffer.allocUnsafeSlow(stageSize);
  private staged = 0;
  private readonly free: Buffer[] = [];

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

  /** The hex digest of everything queued; the thread ends. */
  async finish(): Promise<string> {
    this.post();
    try {
      return await this.hash.digest();
    } finally {
      await this.hasher.close();
    }
  }

  async abandon(): Promise<void> {
    await this.hasher.close();
  }

  /** Hands the staged bytes over to the thread (the buffer moves, it is not copied). */
  private post(): void {
    if (this.staged === 0) return;
    const n = this.staged;
    this.hash.update(this.stage.subarray(0, n)).then(
      (back) => {
        if (this.free.length < keptBuffers) this.free.push(Buffer.from(back.buffer));
        this.room(n);
      },
      () => {
        // The thread ended: the digest fails; nobody may wait for room that never comes.
        this.stopped = true;
        this.room(n);
      },
    );
    this.queued += n;
    this.stage = this.free.pop() ?? Buffer.allocUnsafeSlow(stageSize);
    this.staged = 0;
  }

  private room(n: number): void {
    this.queued -= n;
    if (this.queued < maxQueued || this.stopped) for (const go of this.drained.splice(0)) go();
  }
}
