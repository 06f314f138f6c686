/**
 * Follows the bytes of one stretch of a tar as they are read, in order, and
 * checks the blobs in it: the tar header before each (when one is
 * expected), then the data, hashed and compared with the blob's digest.
 * Bytes outside the listed blobs (other entries, padding) pass by. After a
 * damaged xz Block the reader tells the walker, which gives up on the blobs
 * the Block touches and goes on after it.
 */
import type { Hash } from 'node:crypto';
import { createDigester } from '../content/digest.js';
import { ArchiveFormatError, parseTarHeader, tarBlockSize } from '../bundle-format/index.js';
import type { RangeEntry, RangeFailure } from './verify-task.js';

interface Current {
  readonly hash: Hash;
  readonly header: Buffer[];
  /** The data, for entries to keep. */
  readonly data: Buffer[];
  headerBytes: number;
  failed: boolean;
}

const spanStart = (e: RangeEntry): number =>
  e.headerPath !== undefined ? e.dataOffset - tarBlockSize : e.dataOffset;
const spanEnd = (e: RangeEntry): number => e.dataOffset + e.size;

export class EntryWalker {
  readonly failures: RangeFailure[] = [];
  /** Entries to keep, whose bytes matched their digest. */
  readonly documents: Array<{ digest: string; bytes: Buffer }> = [];
  matched = 0;
  private i = 0;
  private current: Current | undefined;

  /** `entries` in tar order; `position` is the tar offset of the first byte fed. */
  constructor(
    private readonly entries: readonly RangeEntry[],
    private position: number,
  ) {}

  feed(chunk: Uint8Array): void {
    let at = 0;
    for (let e = this.entries[this.i]; e !== undefined; e = this.entries[this.i]) {
      const abs = this.position + at;
      if (abs < spanStart(e)) {
        at += Math.min(spanStart(e) - abs, chunk.length - at);
        if (at === chunk.length) break;
        continue;
      }
      const n = Math.max(0, Math.min(spanEnd(e) - abs, chunk.length - at));
      if (n > 0) this.take(e, abs, chunk.subarray(at, at + n));
      at += n;
      if (abs + n < spanEnd(e)) break;
      this.complete(e);
    }
    this.position += chunk.length;
  }

  /**
   * The bytes from the current position up to `to` could not be read
   * intact: the blobs that touch them and are not finished are given up.
   */
  damaged(to: number): void {
    for (let e = this.entries[this.i]; e !== undefined && spanStart(e) < to;) {
      this.failures.push({ kind: 'damaged', digest: e.digest });
      this.next();
      e = this.entries[this.i];
    }
    this.position = to;
  }

  /** The range has ended: blobs not seen to their end are incomplete. */
  finish(): void {
    for (let e = this.entries[this.i]; e !== undefined; e = this.entries[this.i]) {
      // An empty blob right at the end of the last piece has not been reached by feed.
      if (spanStart(e) === spanEnd(e) && spanEnd(e) <= this.position) {
        this.complete(e);
        continue;
      }
      this.failures.push({ kind: 'incomplete', digest: e.digest });
      this.next();
    }
  }

  private state(e: RangeEntry): Current {
    this.current ??= {
      hash: createDigester(e.digest),
      header: [],
      data: [],
      headerBytes: 0,
      failed: false,
    };
    return this.current;
  }

  private take(e: RangeEntry, abs: number, piece: Uint8Array): void {
    const s = this.state(e);
    let data = piece;
    if (abs < e.dataOffset) {
      const head = piece.subarray(0, e.dataOffset - abs);
      // A copy: the reader may reuse its buffer for the next piece.
      s.header.push(Buffer.from(head));
      s.headerBytes += head.length;
      if (s.headerBytes === tarBlockSize) this.checkHeader(e, s);
      data = piece.subarray(head.length);
    }
    if (s.failed || data.length === 0) return;
    s.hash.update(data);
    if (e.keep === true) s.data.push(Buffer.from(data));
  }

  private checkHeader(e: RangeEntry, s: Current): void {
    let found: string;
    try {
      const h = parseTarHeader(Buffer.concat(s.header));
      if (h.name === e.headerPath && h.kind === 'file' && h.size === e.size) return;
      found = `${JSON.stringify(h.name)} (${h.kind}, ${h.size} bytes)`;
    } catch (err) {
      if (!(err instanceof ArchiveFormatError)) throw err;
      found = `no valid tar header (${err.message})`;
    }
    s.failed = true;
    const headerOffset = e.dataOffset - tarBlockSize;
    this.failures.push({ kind: 'header', digest: e.digest, headerOffset, found });
  }

  private complete(e: RangeEntry): void {
    const s = this.state(e);
    if (!s.failed) {
      const actual = `${e.digest.slice(0, e.digest.indexOf(':'))}:${s.hash.digest('hex')}`;
      if (actual === e.digest) {
        this.matched++;
        if (e.keep === true)
          this.documents.push({ digest: e.digest, bytes: Buffer.concat(s.data) });
      } else this.failures.push({ kind: 'digest', digest: e.digest, actual });
    }
    this.next();
  }

  private next(): void {
    this.i++;
    this.current = undefined;
  }
}
