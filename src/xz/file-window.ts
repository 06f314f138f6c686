/**
 * Positional reads from an open file, for the xz readers: exact reads of a
 * known span, and a forward-moving window over a span read in bounded
 * pieces. Each refill allocates a fresh buffer, never reusing an old one, so
 * that subarrays already handed to a consumer stay valid.
 */
import { openBundleFile, type BundleFile } from '../fs/bundle-file.js';
import { XzFormatError } from './format-error.js';
import { xzIoError } from './xz-errors.js';

/** Opens an .xz file for reading; E_IO naming it when that fails. */
export async function openXzFile(path: string): Promise<BundleFile> {
  try {
    return await openBundleFile(path);
  } catch (err) {
    throw xzIoError(path, 'open', err);
  }
}

/** Reads exactly `length` bytes at `position`; a short file is malformed data. */
export async function readAt(
  fh: BundleFile,
  path: string,
  position: number,
  length: number,
): Promise<Buffer> {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(out, done, length - done, position + done));
    } catch (err) {
      throw xzIoError(path, 'read', err);
    }
    if (n === 0)
      throw new XzFormatError(
        `file ends at byte ${position + done}, before byte ${position + length}`,
      );
    done += n;
  }
  return out;
}

/** Reads forward through [position, end) of a file, at most `windowSize` bytes at a time. */
export class FileWindow {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  private pos: number;

  constructor(
    private readonly fh: BundleFile,
    private readonly path: string,
    start: number,
    private readonly end: number,
    private readonly windowSize: number,
  ) {
    this.pos = start;
    this.bufStart = start;
  }

  /** Absolute file offset of the next unread byte. */
  get position(): number {
    return this.pos;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /**
   * At least `n` bytes from the current position, without moving it. Reading
   * past `end` is an error: the caller's structure says the data is there.
   */
  async peek(n: number): Promise<Buffer> {
    const at = this.pos - this.bufStart;
    if (this.buf.length - at >= n) return this.buf.subarray(at);
    if (this.pos + n > this.end) throw new XzFormatError('data runs past the end of its block');
    const length = Math.min(Math.max(n, this.windowSize), this.end - this.pos);
    this.buf = await readAt(this.fh, this.path, this.pos, length);
    this.bufStart = this.pos;
    return this.buf;
  }

  /** Up to `max` (at least one) bytes from the current position, moving past them. */
  async take(max: number): Promise<Buffer> {
    const view = await this.peek(1);
    const piece = view.subarray(0, Math.min(max, view.length));
    this.pos += piece.length;
    return piece;
  }

  /** Exactly `n` bytes, moving past them (for small fields: they may be copied). */
  async takeExactly(n: number): Promise<Buffer> {
    const view = await this.peek(n);
    this.pos += n;
    return view.subarray(0, n);
  }

  /** Moves past `n` bytes already peeked at. */
  skip(n: number): void {
    this.pos += n;
  }
}
