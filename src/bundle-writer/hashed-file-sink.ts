/**
 * The bundle file's write stream: what passes is copied into slots of
 * page-aligned memory (fs/aligned-ring.ts); a full slot is handed to the
 * hash worker (a copy of it) and written, past the page cache where the
 * filesystem allows it (fs/direct-io.ts), at its own offset, a few slots at
 * a time. A slot is filled again once its write is done.
 *
 * Before it, each batch of chunks was copied to the hash worker and
 * written with writev(2) into the page cache: building 1 GB, libuv's
 * threads spent 1.7-1.9 s of CPU copying into fresh cache pages, taking a
 * core from the main thread and the registry, and the closing fsync waited
 * for the disk on top.
 *
 * The caller's buffers are free as soon as they are copied: `onReleased`
 * hears how many bytes the sink has taken (fs/give-back.ts).
 */
import { close, ftruncate, fsync, write } from 'node:fs';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import pLimit from 'p-limit';
import type { Sha256Worker } from '../content/hash-worker.js';
import {
  alignUp,
  closeQuietly,
  createForWriting,
  isDirectRefusal,
  reopenBuffered,
} from '../fs/direct-io.js';
import { AlignedRing } from '../fs/aligned-ring.js';
import { SyncAhead } from '../fs/sync-ahead.js';

const writeFd: PositionalWrite = promisify(write);
const fsyncFd = promisify(fsync);
const truncateFd = promisify(ftruncate);
const closeFd = promisify(close);

/** Writes in flight at once: two or three keep the disk busy; more only queue on libuv's pool. */
const parallelWrites = 3;

/** write(2) at an offset, as node:fs has it. */
export type PositionalWrite = (
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
) => Promise<{ bytesWritten: number }>;

export interface HashedFileSinkOptions {
  readonly hash: Sha256Worker;
  /** Called as chunks are copied, with the bytes taken so far: buffers up to there are free. */
  readonly onReleased?: (taken: number) => void;
  /** false: through the page cache even where direct writes are possible. */
  readonly direct?: boolean;
  /** Slots in the ring (default 8: three writes out, the rest being filled or hashed). */
  readonly slots?: number;
  /** Bytes per slot: a multiple of 64 KiB. */
  readonly slotSize?: number;
  /** The write to use (tests put one in front that refuses direct writes). */
  readonly write?: PositionalWrite;
}

export class HashedFileSink extends Writable {
  /** Bytes handed to the stream (and copied into the ring). */
  size = 0;
  private readonly ring: AlignedRing;
  private readonly bytes: Buffer;
  /** Per slot: its write (and a wait for the hash worker when too much is queued there). */
  private readonly pending: Array<Promise<void> | undefined>;
  private readonly writes = pLimit(parallelWrites);
  private slot = 0;
  private fill = 0;
  private position = 0;
  private padded = false;
  private closing = false;
  private accepting: Promise<void> = Promise.resolve();
  /** The descriptor opened directly, kept to be closed after a fallback to the page cache. */
  private readonly directFd: number | undefined;
  private fallback: Promise<void> | undefined;
  private syncAhead: SyncAhead | undefined;
  private fileClosed: Promise<void> | undefined;

  /** Creates `path` (it must not exist) and a stream onto it. */
  static async create(path: string, o: HashedFileSinkOptions): Promise<HashedFileSink> {
    const opened = await createForWriting(path, o.direct === false ? { direct: false } : {});
    return new HashedFileSink(path, opened.fd, opened.direct, o);
  }

  private constructor(
    private readonly path: string,
    private fd: number,
    /** Whether writes go past the page cache (and are aligned). */
    public direct: boolean,
    private readonly o: HashedFileSinkOptions,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
    this.ring = new AlignedRing(o.slots ?? 8, o.slotSize ?? 1024 * 1024);
    this.bytes = this.ring.bytes;
    this.pending = new Array<Promise<void> | undefined>(this.ring.slots);
    this.directFd = direct ? fd : undefined;
    if (!direct) this.syncAhead = new SyncAhead(fd);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.take([chunk], done);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    done: (err?: Error | null) => void,
  ): void {
    this.take(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  override _final(done: (err?: Error | null) => void): void {
    this.finishWrites().then(() => {
      done();
    }, done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    // Nothing may write to the descriptor once the caller closes it.
    this.closing = true;
    void this.settled().then(() => {
      done(err);
    });
  }

  /** Every byte the file holds on the disk (after the stream finished). */
  async sync(): Promise<void> {
    await this.syncAhead?.finish();
    if (this.syncAhead === undefined) await fsyncFd(this.fd);
  }

  /**
   * Closes the descriptors (after the stream finished or was destroyed).
   * Rejects with close(2)'s error, which some filesystems (NFS) use to
   * report a failed write; both descriptors are closed either way. A
   * second call answers like the first: a descriptor closed twice could
   * by then be another file's.
   */
  close(): Promise<void> {
    this.fileClosed ??= this.closeAll();
    return this.fileClosed;
  }

  private async closeAll(): Promise<void> {
    await this.settled();
    await this.syncAhead?.settle();
    if (this.directFd !== undefined && this.directFd !== this.fd) await closeQuietly(this.directFd);
    await closeFd(this.fd);
  }

  private take(buffers: Buffer[], done: (err?: Error | null) => void): void {
    this.accepting = this.copyIn(buffers).then(
      () => {
        this.o.onReleased?.(this.size);
        done();
      },
      (err: unknown) => {
        done(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private async copyIn(buffers: Buffer[]): Promise<void> {
    const slotSize = this.ring.slotSize;
    for (const b of buffers) {
      for (let at = 0; at < b.length;) {
        const busy = this.pending[this.slot];
        if (busy !== undefined) await busy;
        if (this.closing) throw new Error('the bundle file was closed');
        const n = Math.min(slotSize - this.fill, b.length - at);
        b.copy(this.bytes, this.slot * slotSize + this.fill, at, at + n);
        this.fill += n;
        this.size += n;
        at += n;
        if (this.fill === slotSize) this.submit();
      }
    }
  }

  /** Hash and write the slot being filled; the next one is filled meanwhile. */
  private submit(): void {
    const length = this.fill;
    const size = this.direct ? alignUp(length) : length;
    const base = this.slot * this.ring.slotSize;
    if (size > length) {
      // Only the file's last slot is short: its padding is cut off again (finishWrites).
      this.bytes.fill(0, base + length, base + size);
      this.padded = true;
    }
    const view = this.ring.slot(this.slot, size);
    const position = this.position;
    const done = Promise.all([
      // The worker takes a copy: only a full queue there is waited for.
      this.o.hash.update(view.subarray(0, length)),
      this.writes(() => this.writeAt(view, position)),
    ]).then(() => undefined);
    done.catch(() => undefined);
    this.pending[this.slot] = done;
    this.position += length;
    this.slot = (this.slot + 1) % this.ring.slots;
    this.fill = 0;
  }

  private async writeAt(view: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < view.length;) {
      if (this.closing) throw new Error('the bundle file was closed');
      const direct = this.direct;
      try {
        const { bytesWritten } = await (this.o.write ?? writeFd)(
          this.fd,
          view,
          done,
          view.length - done,
          position + done,
        );
        done += bytesWritten;
        this.syncAhead?.wrote(bytesWritten);
      } catch (err) {
        if (!direct || !isDirectRefusal(err)) throw err;
        await this.throughPageCache();
      }
    }
  }

  /** Some filesystems open O_DIRECT but refuse its writes: the rest goes through the page cache. */
  private throughPageCache(): Promise<void> {
    this.fallback ??= reopenBuffered(this.path).then((fd) => {
      this.fd = fd;
      this.direct = false;
      this.syncAhead = new SyncAhead(fd);
    });
    return this.fallback;
  }

  private async finishWrites(): Promise<void> {
    await this.accepting;
    if (this.fill > 0) this.submit();
    await Promise.all(this.inFlight());
    if (this.padded) await truncateFd(this.fd, this.position);
  }

  /** Resolves once nothing is copied in or written any more, whether it worked or not. */
  private async settled(): Promise<void> {
    await this.accepting.catch(() => undefined);
    await Promise.all(this.inFlight().map((p) => p.catch(() => undefined)));
  }

  private inFlight(): Array<Promise<void>> {
    return this.pending.filter((p) => p !== undefined);
  }
}
