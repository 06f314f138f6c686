/**
 * Read buffers (read-buffers.ts) given back once a file holds them. A
 * writer that hands a buffer's bytes to a write stream cannot reuse the
 * buffer until the stream has written them: the stream queues views of it,
 * not copies. The stream's bytes are written in order, so a buffer is free
 * once the file's written count reaches the offset just past the buffer's
 * last byte, whichever views of it were queued before.
 */
import { recycleReadBuffer } from './read-buffers.js';

export class GiveBack {
  private readonly waiting: Array<{ readonly end: number; readonly piece: Uint8Array }> = [];

  /** `piece` is free once `end` bytes are written (the stream's offset just after its last byte). */
  after(end: number, piece: Uint8Array): void {
    this.waiting.push({ end, piece });
  }

  /** The file holds its first `written` bytes: give back every buffer within them. */
  upTo(written: number): void {
    for (let next = this.waiting[0]; next !== undefined && next.end <= written;) {
      this.waiting.shift();
      recycleReadBuffer(next.piece);
      next = this.waiting[0];
    }
  }
}
