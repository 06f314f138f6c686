/**
 * Writes an .xz Stream (xz-file-format 1.0.4) whose Blocks hold LZMA2 data
 * made only of uncompressed chunks: a valid .xz at disk speed, for data that
 * is already compressed (image layers), where LZMA would cost minutes to save
 * nothing. Each Block is one span of the caller's choosing; the Index at the
 * end records them all, so readers can seek to any Block.
 *
 * Memory: at most one partial 64 KiB chunk is held; full chunks go to the
 * sink as the 3-byte chunk header followed by a subarray of the caller's
 * buffer, so each input byte is copied at most once. As with Writable.write,
 * a buffer given to write() must not be changed afterwards.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { BmpackError } from '../errors.js';
import { encodeBlockHeader } from './block-header.js';
import { checkSize } from './check-type.js';
import { encodeIndex } from './index-encoding.js';
import {
  LZMA2_CONTROL_END,
  STORED_CHUNK_HEADER_SIZE,
  STORED_CHUNK_MAX,
  storedLzma2Size,
  writeStoredChunkHeader,
} from './lzma2-stored-chunks.js';
import { storedBlockHeaderFields, WRITER_CHECK_TYPE } from './stored-block-layout.js';
import { encodeStreamFooter } from './stream-footer.js';
import { encodeStreamHeader } from './stream-header.js';
import { xzIoError } from './xz-errors.js';
import { roundUp4, type XzBlockInfo, type XzSummary } from './xz-layout.js';

/** Options of {@link XzWriter}. */
export interface XzWriterOptions {
  /** Names the output in errors, e.g. its path. Default: the sink's `path`, if it has one. */
  name?: string;
  /** End the sink after the Stream Footer and wait until it has flushed. Default false. */
  end?: boolean;
}

interface OpenBlock {
  compressedOffset: number;
  headerSize: number;
  /** Uncompressed size declared in the Block Header, if any. */
  declared: number | undefined;
  written: number;
  crc: number;
  chunks: number;
  /** The partial chunk not yet written; `pendingLength` bytes of it are used. */
  pending: Buffer | undefined;
  pendingLength: number;
}

const CHECK_SIZE = checkSize(WRITER_CHECK_TYPE);

/** Streaming writer of one .xz Stream of stored LZMA2 Blocks with CRC32 checks. */
export class XzWriter {
  private readonly name: string;
  private offset = 0;
  private uncompressedOffset = 0;
  private readonly blocks: XzBlockInfo[] = [];
  private block: OpenBlock | undefined;
  private headerWritten = false;
  private done = false;
  private busy = false;
  private failure: BmpackError | undefined;

  constructor(
    private readonly sink: Writable,
    private readonly opts: XzWriterOptions = {},
  ) {
    const sinkPath = (sink as { path?: unknown }).path;
    this.name = opts.name ?? (typeof sinkPath === 'string' ? sinkPath : 'the xz output');
    // A persistent listener: a sink error between our calls must not crash the
    // process as an unhandled 'error'; the next call reports it.
    sink.on('error', (err) => {
      this.failure ??= xzIoError(this.name, 'write', err);
    });
  }

  /** Bytes handed to the sink so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  /**
   * Starts a Block. With `uncompressedSize`, the Block Header declares both
   * sizes (§3.1.3, §3.1.4) — which xz-utils' multithreaded decoder needs —
   * and endBlock() fails unless exactly that many bytes were written.
   *
   * A Block must hold at least one byte. An empty one is valid .xz (LZMA2
   * data of just the end marker) and xz-utils, python and xz-embedded read
   * it, but xz-utils never writes one and Go's github.com/ulikunitz/xz fails
   * on it (its NewReader2 returns io.EOF for LZMA2 data without a chunk), so
   * it is refused here rather than risked in a bundle.
   */
  async beginBlock(uncompressedSize?: number): Promise<void> {
    await this.guard(async () => {
      if (this.block !== undefined) throw this.misuse('beginBlock() while a block is open');
      if (
        uncompressedSize !== undefined &&
        (!Number.isSafeInteger(uncompressedSize) || uncompressedSize < 1)
      ) {
        throw this.misuse(`beginBlock(${uncompressedSize}): not a positive integer size`);
      }
      if (!this.headerWritten) {
        this.headerWritten = true;
        this.send(encodeStreamHeader(WRITER_CHECK_TYPE));
      }
      const header = encodeBlockHeader(storedBlockHeaderFields(uncompressedSize));
      this.block = {
        compressedOffset: this.offset,
        headerSize: header.length,
        declared: uncompressedSize,
        written: 0,
        crc: 0,
        chunks: 0,
        pending: undefined,
        pendingLength: 0,
      };
      this.send(header);
      await this.drained();
    });
  }

  /** Appends `data` to the open Block. Do not modify `data` afterwards. */
  async write(data: Uint8Array): Promise<void> {
    await this.guard(async () => {
      const b = this.block;
      if (b === undefined) throw this.misuse('write() outside a block');
      if (data.length === 0) return;
      if (b.declared !== undefined && b.written + data.length > b.declared) {
        throw this.misuse(
          `write() of ${data.length} bytes overruns the block's declared ${b.declared} bytes (${b.written} written)`,
        );
      }
      b.written += data.length;
      // Cork: the chunk headers and data of this call reach the sink's
      // _writev together instead of as one tiny write each.
      this.sink.cork();
      try {
        let pos = 0;
        if (b.pending !== undefined) {
          pos = Math.min(STORED_CHUNK_MAX - b.pendingLength, data.length);
          b.pending.set(data.subarray(0, pos), b.pendingLength);
          b.pendingLength += pos;
          if (b.pendingLength === STORED_CHUNK_MAX) {
            this.sendChunk(b, b.pending);
            b.pending = undefined;
            b.pendingLength = 0;
          }
        }
        for (; data.length - pos >= STORED_CHUNK_MAX; pos += STORED_CHUNK_MAX) {
          this.sendChunk(b, data.subarray(pos, pos + STORED_CHUNK_MAX));
        }
        if (pos < data.length) {
          // Only a partial chunk waits: every chunk but a Block's last is full,
          // which keeps the compressed size a function of the uncompressed
          // size alone (storedBlockLayout).
          b.pending = Buffer.allocUnsafe(STORED_CHUNK_MAX);
          b.pending.set(data.subarray(pos), 0);
          b.pendingLength = data.length - pos;
        }
      } finally {
        this.sink.uncork();
      }
      // After uncork the sink's write is under way on libuv's thread pool:
      // computing the CRC32 now overlaps it instead of delaying it.
      b.crc = crc32(data, b.crc);
      await this.drained();
    });
  }

  /** Ends the open Block: last chunk, end marker, Block Padding and the CRC32 Check. */
  async endBlock(): Promise<void> {
    await this.guard(async () => {
      const b = this.block;
      if (b === undefined) throw this.misuse('endBlock() without an open block');
      if (b.declared !== undefined && b.written !== b.declared) {
        throw this.misuse(`endBlock() after ${b.written} of the declared ${b.declared} bytes`);
      }
      if (b.written === 0) throw this.misuse('endBlock() of an empty block');
      if (b.pending !== undefined) {
        this.sendChunk(b, b.pending.subarray(0, b.pendingLength));
        b.pending = undefined;
      }
      const compressedSize = storedLzma2Size(b.written);
      const padding = (4 - ((b.headerSize + compressedSize) % 4)) % 4;
      // §3.2-§3.4: LZMA2 end marker, 0-3 null bytes of Block Padding, the Check.
      const tail = new Uint8Array(1 + padding + CHECK_SIZE);
      tail[0] = LZMA2_CONTROL_END;
      new DataView(tail.buffer).setUint32(1 + padding, b.crc, true);
      this.send(tail);
      const unpaddedSize = b.headerSize + compressedSize + CHECK_SIZE;
      const info: XzBlockInfo = {
        compressedOffset: b.compressedOffset,
        unpaddedSize,
        totalSize: roundUp4(unpaddedSize),
        uncompressedOffset: this.uncompressedOffset,
        uncompressedSize: b.written,
        checkType: WRITER_CHECK_TYPE,
      };
      if (this.offset - b.compressedOffset !== info.totalSize) {
        throw this.misuse(
          `block at ${b.compressedOffset} took ${this.offset - b.compressedOffset} bytes, not ${info.totalSize}`,
        );
      }
      this.blocks.push(info);
      this.uncompressedOffset += b.written;
      this.block = undefined;
      await this.drained();
    });
  }

  /** Writes the Index and Stream Footer (§4, §2.1.2); ends the sink if asked to. */
  async finish(): Promise<XzSummary> {
    return await this.guard(async () => {
      if (this.block !== undefined) throw this.misuse('finish() while a block is open');
      if (!this.headerWritten) {
        this.headerWritten = true;
        this.send(encodeStreamHeader(WRITER_CHECK_TYPE));
      }
      const index = encodeIndex(this.blocks);
      const indexOffset = this.offset;
      this.send(index);
      this.send(encodeStreamFooter(WRITER_CHECK_TYPE, index.length));
      this.done = true;
      if (this.opts.end === true) {
        this.sink.end();
        try {
          await finished(this.sink, { readable: false });
        } catch (err) {
          throw this.failure ?? xzIoError(this.name, 'write', err);
        }
      } else {
        await this.drained();
      }
      return {
        blocks: this.blocks.slice(),
        compressedSize: this.offset,
        uncompressedSize: this.uncompressedOffset,
        indexOffset,
        indexSize: index.length,
      };
    });
  }

  /** Runs one call: no overlapping calls, nothing after a failure or after finish(). */
  private async guard<T>(step: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    if (this.busy) throw this.misuse('a call started before the previous one finished');
    if (this.done) throw this.misuse('call after finish()');
    this.busy = true;
    try {
      return await step();
    } catch (err) {
      // Whatever was half-written cannot be completed into a valid file.
      this.failure ??= err instanceof BmpackError ? err : xzIoError(this.name, 'write', err);
      throw this.failure;
    } finally {
      this.busy = false;
    }
  }

  private misuse(problem: string): BmpackError {
    return new BmpackError('E_INTERNAL', `xz writer for ${this.name}: ${problem}`, {
      hint: `This is a bug in bmpack; ${this.name} is incomplete and must not be used.`,
      cause: new Error(problem),
    });
  }

  private sendChunk(b: OpenBlock, data: Uint8Array): void {
    const header = Buffer.allocUnsafe(STORED_CHUNK_HEADER_SIZE);
    writeStoredChunkHeader(data.length, b.chunks === 0, header, 0);
    b.chunks++;
    this.send(header);
    this.send(data);
  }

  private send(bytes: Uint8Array): void {
    if (this.sink.destroyed || this.sink.writableEnded) {
      throw xzIoError(
        this.name,
        'write',
        new Error('the output was closed before the xz stream was complete'),
      );
    }
    this.sink.write(bytes);
    this.offset += bytes.length;
  }

  /** Waits while the sink holds more than its high-water mark. */
  private async drained(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.sink.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        this.sink.off('drain', onDrain);
        this.sink.off('error', onError);
        this.sink.off('close', onClose);
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(xzIoError(this.name, 'write', err));
      };
      const onClose = (): void => {
        cleanup();
        reject(
          xzIoError(this.name, 'write', new Error('the output closed while data was pending')),
        );
      };
      this.sink.on('drain', onDrain);
      this.sink.on('error', onError);
      this.sink.on('close', onClose);
    });
  }
}
