/**
 * A plain tar file read by position: headers through a small window, data
 * skipped by moving the position, so scanning a multi-GB tar reads little
 * more than its headers.
 */
import { openBundleFile, type BundleFile } from '../fs/bundle-file.js';
import { archiveIoError } from './archive-errors.js';
import type { TarInput } from './tar-input.js';

/** One read covers a header and, for small entries, the next few. */
const WINDOW = 8 * 1024;
/** Piece size when skipped bytes go to a sink. */
const PIECE = 1024 * 1024;

export class FileTarInput implements TarInput {
  readonly sequential = false;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private pos = 0;

  private constructor(
    private readonly fh: BundleFile,
    private readonly file: string,
    /** Size of the file in bytes. */
    readonly size: number,
  ) {}

  static async open(file: string): Promise<FileTarInput> {
    let fh: BundleFile;
    try {
      fh = await openBundleFile(file);
    } catch (err) {
      throw archiveIoError(file, 'open', err);
    }
    try {
      return new FileTarInput(fh, file, (await fh.stat()).size);
    } catch (err) {
      await fh.close();
      throw archiveIoError(file, 'stat', err);
    }
  }

  get position(): number {
    return this.pos;
  }

  /** Moves to `offset` (for readers that know where the next header is). */
  seek(offset: number): void {
    this.pos = offset;
  }

  /** Up to `length` bytes at `position`; fewer at the end of the file. */
  async readAt(position: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - position));
    const out = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.fh.read(out, done, want - done, position + done));
      } catch (err) {
        throw archiveIoError(this.file, 'read', err);
      }
      if (n === 0) break; // the file shrank under us: callers see a short read
      done += n;
    }
    return out.subarray(0, done);
  }

  async peek(n: number): Promise<Buffer> {
    const at = this.pos - this.windowStart;
    if (at >= 0 && this.window.length - at >= n) return this.window.subarray(at, at + n);
    if (n > WINDOW) return this.readAt(this.pos, n);
    this.window = await this.readAt(this.pos, WINDOW);
    this.windowStart = this.pos;
    return this.window.subarray(0, n);
  }

  async read(n: number): Promise<Buffer> {
    const bytes = await this.peek(n);
    this.pos += bytes.length;
    return bytes;
  }

  async skip(n: number, sink?: (chunk: Buffer) => void): Promise<number> {
    if (sink === undefined) {
      const k = Math.max(0, Math.min(n, this.size - this.pos));
      this.pos += k;
      return k;
    }
    let done = 0;
    while (done < n) {
      const piece = await this.readAt(this.pos, Math.min(PIECE, n - done));
      if (piece.length === 0) break;
      sink(piece);
      this.pos += piece.length;
      done += piece.length;
    }
    return done;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
