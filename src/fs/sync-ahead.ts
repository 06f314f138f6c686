/**
 * Writeback that keeps pace with the writing. A large file written at page
 * cache speed and synced only at the end waits, at the end, for all of its
 * dirty pages at once. Starting an fdatasync(2) every few tens of MiB (one
 * at a time, on libuv's thread pool) lets the disk work while the file is
 * still being written, so the closing fsync finds little left to do. The
 * bundle writer needs it only where the filesystem refuses direct writes
 * (direct-io.ts).
 */
import { fdatasync, fsync } from 'node:fs';
import { promisify } from 'node:util';

const datasyncFd = promisify(fdatasync);
const fsyncFd = promisify(fsync);

/** Bytes written between two background syncs. */
const defaultEvery = 64 * 1024 * 1024;

export class SyncAhead {
  private unsynced = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    /** A numeric descriptor: a FileHandle used by a write stream cannot be synced (Node 20). */
    private readonly fd: number,
    private readonly every = defaultEvery,
  ) {}

  /** Count `n` more bytes handed to the file; may start a background sync. */
  wrote(n: number): void {
    this.unsynced += n;
    if (this.unsynced < this.every || this.inFlight !== undefined) return;
    this.unsynced = 0;
    // A failure here is not lost: the closing sync reports the same error.
    this.inFlight = datasyncFd(this.fd)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Wait for the background sync, then fsync(2) everything. */
  async finish(): Promise<void> {
    await this.inFlight;
    await fsyncFd(this.fd);
  }

  /** Wait for the background sync only (before closing the handle on failure). */
  async settle(): Promise<void> {
    await this.inFlight;
  }
}
