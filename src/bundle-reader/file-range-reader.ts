/**
 * Ranges of a plain tar by positional reads: each range opens its own file
 * handle, so any number of blobs stream in parallel and nothing is shared.
 */
import { openBundleFile, type BundleFile } from '../fs/bundle-file.js';
import { archiveIoError, bundleInvalid } from './archive-errors.js';
import type { TarRangeReader } from './tar-range-reader.js';

/** Bytes per read; the returned streams buffer one piece ahead. */
const PIECE = 1024 * 1024;

export class FileRangeReader implements TarRangeReader {
  readonly randomAccess = true;

  constructor(private readonly file: string) {}

  async *chunks(offset: number, length: number, what: string): AsyncGenerator<Buffer> {
    if (length === 0) return;
    let fh: BundleFile;
    try {
      fh = await openBundleFile(this.file);
    } catch (err) {
      throw archiveIoError(this.file, 'open', err);
    }
    try {
      let done = 0;
      while (done < length) {
        const want = Math.min(PIECE, length - done);
        // A fresh buffer per piece: the consumer may still hold the last one.
        const buf = Buffer.allocUnsafe(want);
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, want, offset + done));
        } catch (err) {
          throw archiveIoError(this.file, 'read', err);
        }
        if (n === 0) {
          throw bundleInvalid(
            this.file,
            `the file ends at byte ${offset + done}, inside ${what} (truncated?)`,
          );
        }
        done += n;
        yield buf.subarray(0, n);
      }
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    // Every range closes its own handle.
  }
}
