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
  if (m === null) parentPort.postMessage(hash.digest('hex'));
  else hash.update(new Uint8Array(m));
});
`;

export class Sha256Worker {
  private readonly worker = new Worker(source, { eval: true });
  private readonly digest: Promise<string>;

  constructor() {
    this.digest = new Promise((resolve, reject) => {
      this.worker.once('message', (hex: unknown) => {
        resolve(String(hex));
      });
      this.worker.once('error', reject);
    });
    this.digest.catch(() => undefined);
  }

  /** Queue a chunk; its bytes are copied into a buffer the worker then owns. */
  update(chunk: Uint8Array): void {
    const copy = new Uint8Array(chunk.byteLength);
    copy.set(chunk);
    this.worker.postMessage(copy.buffer, [copy.buffer]);
  }

  /** The hex digest of everything queued. */
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
}
