/**
 * A local content-addressed store of blobs (cf. npm's cacache): the path is
 * a pure function of the digest, content is verified as it is written, and
 * it lands under its final name only by an atomic rename. A re-run after an
 * interruption therefore finds every blob that was complete and nothing
 * that was not.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentVerifier } from '../content/verifier.js';
import { verifyingTransform } from '../content/verifying-transform.js';
import {
  commitTemp,
  discardTemp,
  ioError,
  removeStaleTempsIn,
  tempPathFor,
} from '../fs/atomic-file.js';
import type { Descriptor } from '../oci/descriptor.js';

/** `$BMPACK_CACHE_DIR`, else `$XDG_CACHE_HOME/bmpack`, else `~/.cache/bmpack`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BMPACK_CACHE_DIR) return env.BMPACK_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bmpack');
}

type Expected = Pick<Descriptor, 'digest' | 'size'>;

export class BlobCache {
  constructor(readonly root: string) {}

  path(digest: string): string {
    const [alg = '', hex = ''] = digest.split(':');
    return join(this.root, 'blobs', alg, hex);
  }

  /** Remove partial blobs left by builds that were killed; returns how many. */
  async sweep(): Promise<number> {
    return removeStaleTempsIn(join(this.root, 'blobs', 'sha256'));
  }

  /** The size of the stored blob, or undefined when it is absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      return undefined;
    }
  }

  /** True when the blob is present with the expected size. */
  async has(desc: Expected): Promise<boolean> {
    try {
      return (await stat(this.path(desc.digest))).size === desc.size;
    } catch {
      return false;
    }
  }

  /**
   * Store a stream, verifying size and digest as it is written. A source
   * that verifies itself (a registry blob stream) may pass `verified` to
   * skip hashing twice; its error still aborts the write.
   */
  async put(desc: Expected, source: Readable, what: string, verified = false): Promise<void> {
    const target = this.path(desc.digest);
    await this.ensureDir(target);
    const temp = tempPathFor(target);
    const verifier = new ContentVerifier(desc, what);
    const file = createWriteStream(temp, { flags: 'wx' });
    try {
      if (verified) await pipeline(source, file);
      else await pipeline(source, verifyingTransform(verifier), file);
    } catch (err) {
      await discardTemp(temp);
      throw ioError(err, target, 'write the cached blob');
    }
    await commitTemp(temp, target);
  }

  async putBytes(desc: Expected, bytes: Buffer, what: string): Promise<void> {
    if (await this.has(desc)) return;
    await this.put(desc, ReadableStream.from([bytes]), what);
  }

  /**
   * A temporary file in the blob folder for content whose digest is known
   * only at its end (a registry upload): written by the caller, who hashes
   * it as it goes, then {@link adopt}ed. A kill leaves it for {@link sweep}.
   */
  async uploadPath(id: string): Promise<string> {
    const target = join(this.root, 'blobs', 'sha256', `upload-${id}`);
    await this.ensureDir(target);
    return tempPathFor(target);
  }

  /** Renames a finished, verified upload into place (or drops it when the blob is there already). */
  async adopt(temp: string, desc: Expected): Promise<void> {
    if (await this.has(desc)) {
      await discardTemp(temp);
      return;
    }
    const target = this.path(desc.digest);
    await this.ensureDir(target);
    await commitTemp(temp, target);
  }

  /** The blob's bytes, or those from `start` to `end` inclusive (fs.createReadStream's range). */
  open(digest: string, range?: { readonly start: number; readonly end: number }): Readable {
    return createReadStream(this.path(digest), { highWaterMark: 1024 * 1024, ...range });
  }

  /** Re-hash a cached blob; a bad one is removed so it is fetched again. */
  async verify(desc: Expected, what: string): Promise<boolean> {
    const verifier = new ContentVerifier(desc, what);
    try {
      for await (const chunk of this.open(desc.digest)) verifier.update(chunk as Buffer);
      verifier.finish();
      return true;
    } catch {
      await rm(this.path(desc.digest), { force: true });
      return false;
    }
  }

  private async ensureDir(target: string): Promise<void> {
    const dir = join(target, '..');
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw ioError(err, dir, 'create the cache folder');
    }
  }
}
