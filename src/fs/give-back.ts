/**
 * Read buffers (read-buffers.ts) given back once a write stream is done
 * with them. A writer that hands a buffer's bytes to a write stream cannot
 * reuse the buffer until the stream has taken them: the stream queues
 * views of it, not copies. The stream takes its bytes in order, so a
 * buffer is free once the count taken reaches the offset just past the
 * buffer's last byte, whichever views of it were queued before.
 */
import { recycleReadBuffer } from './read-buffers.js';

export class GiveBack {
  private readonly waiting: Array<{ readonly end: number; readonly piece: Uint8Array }> = [];

  /** `piece` is free once `end` bytes are taken (the stream's offset just after its last byte). */
  after(end: number, piece: Uint8Array): void {
    this.waiting.push({ end, piece });
  }

  /** The stream has taken its first `taken` bytes: give back every buffer within them. */
  upTo(taken: number): void {
    for (let next = this.waiting[0]; next !== undefined && next.end <= taken;) {
      this.waiting.shift();
      recycleReadBuffer(next.piece);
      next = this.waiting[0];
    }
  }
}
