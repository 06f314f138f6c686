/**
 * Blob upload sessions of the embedded registry (distribution-spec "Pushing
 * blobs"): a POST opens one, PATCHes append chunks in order, the PUT with
 * `?digest=` closes it. Bytes go to a temporary file in the layout's blob
 * folder and are hashed as they arrive; the blob lands under its digest by
 * a rename only when the digest matches. A session idle for 15 minutes is
 * dropped with its file.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobCache } from '../cache/blob-cache.js';

interface Session {
  readonly repository: string;
  readonly file: string;
  readonly hash: Hash;
  size: number;
  busy: boolean;
  touched: number;
}

export type UploadOutcome =
  | { readonly ok: true; readonly digest: string; readonly size: number }
  | {
      readonly ok: false;
      readonly code: 'DIGEST_INVALID' | 'BLOB_UPLOAD_INVALID';
      readonly message: string;
    };

const idleMs = 15 * 60_000;

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly store: BlobCache) {
    this.sweeper = setInterval(() => void this.dropIdle(), 60_000);
    this.sweeper.unref();
  }

  async open(repository: string): Promise<string> {
    const id = randomUUID();
    const file = await this.store.uploadPath(id);
    await rm(file, { force: true });
    this.sessions.set(id, {
      repository,
      file,
      hash: createHash('sha256'),
      size: 0,
      busy: false,
      touched: Date.now(),
    });
    return id;
  }

  /** The session's bytes so far, or undefined when there is no such session in `repository`. */
  size(repository: string, id: string): number | undefined {
    const s = this.sessions.get(id);
    return s?.repository === repository ? s.size : undefined;
  }

  /**
   * Appends a chunk; `start`, when the client says where it begins
   * (Content-Range), must be where the session ends.
   */
  async append(
    repository: string,
    id: string,
    body: Readable,
    start?: number,
  ): Promise<{ ok: true; size: number } | { ok: false; size: number | undefined }> {
    const s = this.sessions.get(id);
    if (s?.repository !== repository || s.busy || (start !== undefined && start !== s.size))
      return { ok: false, size: s?.size };
    s.busy = true;
    try {
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, done) {
          s.hash.update(chunk);
          s.size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(body, hashing, createWriteStream(s.file, { flags: 'a' }));
    } catch (err) {
      await this.cancel(repository, id);
      throw err;
    } finally {
      s.busy = false;
      s.touched = Date.now();
    }
    return { ok: true, size: s.size };
  }

  /** Closes the session: its bytes must have `digest`, and then are the blob. */
  async finish(repository: string, id: string, digest: string): Promise<UploadOutcome> {
    const s = this.sessions.get(id);
    if (s?.repository !== repository || s.busy)
      return {
        ok: false,
        code: 'BLOB_UPLOAD_INVALID',
        message: `no upload ${id} in ${repository}`,
      };
    this.sessions.delete(id);
    const actual = `sha256:${s.hash.digest('hex')}`;
    if (actual !== digest) {
      await rm(s.file, { force: true });
      return {
        ok: false,
        code: 'DIGEST_INVALID',
        message: `the upload's ${s.size} bytes have digest ${actual}, not ${digest}`,
      };
    }
    if (s.size === 0) await pipeline([], createWriteStream(s.file, { flags: 'a' }));
    await this.store.adopt(s.file, { digest, size: s.size });
    return { ok: true, digest, size: s.size };
  }

  async cancel(repository: string, id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (s?.repository !== repository) return false;
    this.sessions.delete(id);
    await rm(s.file, { force: true });
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.entries()].map(([id, s]) => this.cancel(s.repository, id)));
  }

  private async dropIdle(): Promise<void> {
    const now = Date.now();
    for (const [id, s] of this.sessions)
      if (!s.busy && now - s.touched > idleMs) await this.cancel(s.repository, id);
  }
}
