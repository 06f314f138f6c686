/**
 * The decoded bytes of an .xz file as a tar input, pulled one chunk at a
 * time from a list of segments (each an async iterable of the bytes of one
 * range, typically one xz Block). Pulling only on demand means nothing is
 * decoded ahead of the scan: after reading a bundle's metadata, the reader
 * can finish the current Block (so that its Check is verified) and stop
 * without touching the next one.
 */
import type { TarInput } from './tar-input.js';

export interface Segment {
  /** Bytes the segment yields. */
  readonly size: number;
  readonly open: () => AsyncIterable<Uint8Array>;
}

export class StreamTarInput implements TarInput {
  readonly sequential = true;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pos = 0;
  private current: AsyncIterator<Uint8Array> | undefined;
  /** Bytes of the current segment not pulled yet. */
  private currentLeft = 0;
  private nextSegment = 0;

  constructor(private readonly segments: readonly Segment[]) {}

  get position(): number {
    return this.pos;
  }

  /** The next decoded chunk, moving on to the next segment when one ends. */
  private async pull(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.current === undefined) {
        const segment = this.segments[this.nextSegment];
        if (segment === undefined) return undefined;
        this.nextSegment++;
        this.current = segment.open()[Symbol.asyncIterator]();
        this.currentLeft = segment.size;
      }
      const r = await this.current.next();
      if (r.done === true) {
        this.current = undefined;
        continue;
      }
      this.currentLeft -= r.value.length;
      if (r.value.length > 0)
        return Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    }
  }

  private async ensure(n: number): Promise<void> {
    while (this.buffered < n) {
      const chunk = await this.pull();
      if (chunk === undefined) return;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }

  /** Removes and returns up to `n` buffered bytes. */
  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = Math.min(n, this.buffered);
    while (left > 0) {
      const first = this.chunks[0];
      if (first === undefined) break;
      if (first.length <= left) {
        parts.push(first);
        this.chunks.shift();
        left -= first.length;
      } else {
        parts.push(first.subarray(0, left));
        this.chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    const out = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
    this.buffered -= out.length;
    return out;
  }

  async peek(n: number): Promise<Buffer> {
    await this.ensure(n);
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > 0 ? [all] : [];
    return all.subarray(0, n);
  }

  async read(n: number): Promise<Buffer> {
    await this.ensure(n);
    const out = this.take(n);
    this.pos += out.length;
    return out;
  }

  async skip(n: number, sink?: (chunk: Buffer) => void): Promise<number> {
    let done = 0;
    while (done < n) {
      if (this.buffered === 0) {
        const chunk = await this.pull();
        if (chunk === undefined) break;
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
      const piece = this.take(n - done);
      sink?.(piece);
      done += piece.length;
      this.pos += piece.length;
    }
    return done;
  }

  /**
   * Reads the current segment to its end, discarding what is left of it:
   * for an xz Block, this is what verifies its Check. Does nothing when more
   * than `limit` bytes are left to read.
   */
  async finishSegment(limit = Infinity): Promise<void> {
    const it = this.current;
    if (it === undefined || this.currentLeft > limit) return;
    this.chunks = [];
    this.buffered = 0;
    for (let r = await it.next(); r.done !== true; r = await it.next());
    this.current = undefined;
  }

  async close(): Promise<void> {
    const it = this.current;
    this.current = undefined;
    this.nextSegment = this.segments.length;
    // Stopping a decoder early frees xz-decompress's process-wide mutex.
    await it?.return?.();
  }
}
