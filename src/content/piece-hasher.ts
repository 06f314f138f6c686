/**
 * Digests of content whose bytes arrive as pieces the caller owns (the
 * blob relay's recycled megabytes), computed on another thread without a
 * copy: each piece's memory is transferred to the thread, hashed there,
 * and transferred back (HTML "Transferable objects"). Verifying a blob as
 * it is fetched took a third of bundle create's main thread; this way the
 * main thread only posts a message per megabyte.
 *
 * One thread hashes any number of pieces of any number of digests; it
 * answers every update and digest in the order they were asked, so one
 * queue of waiting callers is enough. The thread keeps the process alive
 * only while an answer is due. Its code is inline, so it runs the same
 * from dist/, under tsx, and in a single-file build.
 */
import { Worker } from 'node:worker_threads';
import { BmpackError } from '../errors.js';
import type { DigestAlgorithm } from './digest.js';

const source = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.open !== undefined) return void hashes.set(m.id, createHash(m.open));
  if (m.drop === true) return void hashes.delete(m.id);
  const hash = hashes.get(m.id);
  if (m.buffer === undefined) {
    hashes.delete(m.id);
    return parentPort.postMessage(hash.digest('hex'));
  }
  hash.update(new Uint8Array(m.buffer, m.offset, m.length));
  parentPort.postMessage(m.buffer, [m.buffer]);
});
`;

type Answer = ArrayBuffer | string;

interface Waiter {
  readonly resolve: (a: Answer) => void;
  readonly reject: (err: Error) => void;
}

export class PieceHasher {
  private worker: Worker | undefined;
  private readonly waiting: Waiter[] = [];
  private nextId = 0;
  private stopped: Error | undefined;

  /** A new digest, fed piece by piece. */
  open(algorithm: DigestAlgorithm): PieceHash {
    const id = this.nextId++;
    this.post({ id, open: algorithm });
    return new PieceHash(this, id);
  }

  /** Ends the thread for good; what is still due fails. */
  async close(): Promise<void> {
    this.stop(internal('the hashing thread was closed'));
    await this.worker?.terminate();
  }

  /** @internal Hashes `piece` on the thread; resolves with the same bytes, now in memory transferred back. */
  async update(id: number, piece: Buffer): Promise<Buffer> {
    const { buffer, byteOffset: offset, length } = piece;
    if (!(buffer instanceof ArrayBuffer) || isPooled(piece)) {
      throw internal('a piece to hash must own its memory (Buffer.allocUnsafeSlow)');
    }
    const back = await this.ask({ id, buffer, offset, length }, [buffer]);
    if (typeof back === 'string') throw internal('the hashing thread answered out of order');
    return Buffer.from(back, offset, length);
  }

  /** @internal The hex digest of every piece hashed under `id`. */
  async digest(id: number): Promise<string> {
    const hex = await this.ask({ id });
    if (typeof hex !== 'string') throw internal('the hashing thread answered out of order');
    return hex;
  }

  /** @internal The digest is not wanted: the thread forgets it. */
  drop(id: number): void {
    if (this.stopped === undefined) this.post({ id, drop: true });
  }

  private ask(message: object, transfer: ArrayBuffer[] = []): Promise<Answer> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    return new Promise<Answer>((resolve, reject) => {
      if (this.waiting.push({ resolve, reject }) === 1) this.thread().ref();
      this.thread().postMessage(message, transfer);
    });
  }

  private post(message: object): void {
    if (this.stopped === undefined) this.thread().postMessage(message);
  }

  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    // No execArgv: the code is CommonJS whatever flags started the process (--input-type, --import).
    const w = new Worker(source, { eval: true, execArgv: [] });
    w.unref();
    w.on('message', (a: Answer) => {
      this.waiting.shift()?.resolve(a);
      if (this.waiting.length === 0) w.unref();
    });
    w.once('error', (err: Error) => {
      this.stop(internal(`the hashing thread failed: ${err.message}`, err));
    });
    w.once('exit', () => {
      this.stop(internal('the hashing thread stopped'));
    });
    this.worker = w;
    return w;
  }

  private stop(err: Error): void {
    this.stopped ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.stopped);
  }
}

/** One digest on a {@link PieceHasher}. */
export class PieceHash {
  constructor(
    private readonly hasher: PieceHasher,
    private readonly id: number,
  ) {}

  /**
   * Hashes the piece. Its memory is moved to the hashing thread (the piece
   * reads as empty until then) and comes back in the buffer this resolves
   * with: the caller reads that one, not `piece`.
   */
  update(piece: Buffer): Promise<Buffer> {
    return this.hasher.update(this.id, piece);
  }

  /** The hex digest, once every piece given before is hashed. */
  digest(): Promise<string> {
    return this.hasher.digest(this.id);
  }

  drop(): void {
    this.hasher.drop(this.id);
  }
}

function internal(message: string, cause?: unknown): BmpackError {
  return new BmpackError('E_INTERNAL', message, {
    hint: 'This is a bug in bmpack: please report it.',
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** Whether the piece shows part of Node's shared allocation pool (Buffer.allocUnsafe), which is not its to move. */
function isPooled(piece: Buffer): boolean {
  return piece.byteLength < piece.buffer.byteLength && piece.buffer.byteLength === Buffer.poolSize;
}
