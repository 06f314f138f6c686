/**
 * A sha256 computed on another core, over memory shared with it
 * (fs/shared-ring.ts): the bundle writer hands each filled slot over and
 * goes on filling the next, so hashing the output for its sidecar does not
 * take turns with the main thread's other work (CRC32, blob verification,
 * I/O), and no byte is copied for it. The worker's code is inline, so it
 * runs the same from dist/, under tsx, and in a single-file build.
 */
import { Worker } from 'node:worker_threads';

const source = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === null) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(m.shared);
  parentPort.postMessage({ shared: true });
});
`;

interface WorkerAnswer {
  readonly digest?: string;
  readonly shared?: boolean;
}

export class Sha256Worker {
  private readonly worker = new Worker(source, { eval: true });
  private readonly digest: Promise<string>;
  /** Resolvers of shared views, in the order they were posted (the worker answers in order). */
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  /** Why the worker stopped, once it has: views asked of it after that fail with it. */
  private stopped: Error | undefined;

  constructor() {
    this.digest = new Promise((resolve, reject) => {
      this.worker.on('message', (m: WorkerAnswer) => {
        if (m.digest !== undefined) resolve(m.digest);
        if (m.shared === true) this.waiting.shift()?.resolve();
      });
      this.worker.once('error', reject);
    });
    this.digest.catch(() => undefined);
    // A view waiting for a worker that is gone would wait for ever: it fails instead.
    this.worker.once('error', (err: Error) => {
      this.stop(err);
    });
    this.worker.once('exit', () => {
      this.stop(new Error('the hash worker stopped'));
    });
  }

  /**
   * Hash `view`, memory shared with the worker, in place. Resolves once it
   * is hashed; until then its bytes must not change. Views are hashed in
   * the order they are given.
   */
  updateShared(view: Uint8Array): Promise<void> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    const hashed = new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
    this.worker.postMessage({ shared: view });
    return hashed;
  }

  /** The hex digest of everything given. */
  async finish(): Promise<string> {
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

  private stop(err: Error): void {
    this.stopped ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.stopped);
  }
}
