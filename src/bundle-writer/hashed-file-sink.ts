/**
 * A write stream onto an open file that hashes what passes: each batch of
 * buffered chunks is handed to the hash worker and then written with one
 * writev(2). Before it, the bundle writer piped a hashing Transform into an
 * fs.WriteStream: two streams' buffering and an event-loop turn between
 * them. Building 1 GB, the writer waited on 'drain' 2.5-3.0 s with those,
 * 1.8 s with this (writev(2) itself takes that gigabyte in about 0.3 s; the
 * rest is completions waiting their turn behind the main thread's work).
 *
 * `written` counts the bytes the file holds (every write before them
 * completed), for giving buffers back (give-back.ts); SyncAhead hears of
 * each completed write.
 */
import { writev } from 'node:fs';
import { Writable } from 'node:stream';
import type { Sha256Worker } from '../content/hash-worker.js';
import type { SyncAhead } from '../fs/sync-ahead.js';

/** At most this many buffers per writev(2): Linux's IOV_MAX. */
const maxBuffers = 1024;

export interface HashedFileSinkOptions {
  readonly fd: number;
  readonly hash: Sha256Worker;
  readonly syncAhead: SyncAhead;
  /** Called after each completed write with the bytes the file now holds. */
  readonly onWritten?: (written: number) => void;
  readonly highWaterMark?: number;
}

export class HashedFileSink extends Writable {
  /** Bytes handed to the stream. */
  size = 0;
  /** Bytes the file holds. */
  written = 0;
  /** Set while a writev is under way: destroy waits for it, so the descriptor is not closed under it. */
  private settled: (() => void) | undefined;
  private busy = false;

  constructor(private readonly o: HashedFileSinkOptions) {
    super({ highWaterMark: o.highWaterMark ?? 4 * 1024 * 1024 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.writeAll([chunk], done);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    done: (err?: Error | null) => void,
  ): void {
    this.writeAll(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.busy) {
      callback(err);
      return;
    }
    this.settled = () => {
      callback(err);
    };
  }

  private writeAll(buffers: Buffer[], done: (err?: Error | null) => void): void {
    let full: Promise<void> | undefined;
    for (const b of buffers) {
      this.size += b.length;
      full = this.o.hash.update(b) ?? full;
    }
    this.busy = true;
    const write = (): void => {
      this.writeFrom(buffers, (err) => {
        this.busy = false;
        this.settled?.();
        done(err);
      });
    };
    if (full === undefined) write();
    else void full.then(write);
  }

  /** Writes `buffers` whole, resuming after a short write. */
  private writeFrom(buffers: Buffer[], done: (err?: Error | null) => void): void {
    const batch = buffers.length > maxBuffers ? buffers.slice(0, maxBuffers) : buffers;
    writev(this.o.fd, batch, (err, n) => {
      if (err) {
        done(err);
        return;
      }
      this.written += n;
      this.o.syncAhead.wrote(n);
      this.o.onWritten?.(this.written);
      const rest = remainder(buffers, n);
      if (rest.length === 0) done();
      else this.writeFrom(rest, done);
    });
  }
}

/** What is left of `buffers` after their first `n` bytes. */
export function remainder(buffers: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  for (let b = buffers[0]; b !== undefined && skip >= b.length; b = buffers[++i]) skip -= b.length;
  const rest = buffers.slice(i);
  const first = rest[0];
  if (skip > 0 && first !== undefined) rest[0] = first.subarray(skip);
  return rest;
}
