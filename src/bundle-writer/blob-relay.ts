/**
 * Blobs on their way from a registry into the bundle writer, through
 * memory: each fetched blob is written once, into the bundle, instead of
 * into the blob cache and then again from there into the bundle. On a
 * release of several GB the second write is what the disk cannot absorb:
 * the build waited on writeback for twice the release's size.
 *
 * The writer takes blobs in the bundle's order; fetches run ahead of it in
 * that order, several at a time. A blob the writer is reading streams
 * straight through. A blob ahead of it is held in memory until the writer
 * gets there; once `budget` bytes are held, deliveries ahead of the writer
 * pause (the registry's socket waits). If the writer then waits for a blob
 * whose fetch has not started (every slot taken by paused deliveries), the
 * farthest paused blob is spilled to the cache to free its slot, and the
 * writer reads it from there when it gets there.
 *
 * A blob whose fetch does not check its digest (the registry download
 * leaves it to this sink) is checked here as its pieces pass, hashed on
 * another thread (piece-hasher.ts): each piece reaches the writer once it
 * is hashed, and the blob is whole only once its digest matched.
 */
import { Readable } from 'node:stream';
import type { BlobCache } from '../cache/blob-cache.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import { PieceHasher } from '../content/piece-hasher.js';
import { PieceVerifier } from '../content/piece-verifier.js';
import { movedReadBuffer } from '../fs/read-buffers.js';
import type { Descriptor } from '../oci/descriptor.js';
import { defaultPieceSize, Pieces } from './relay-pieces.js';
import { newEntry, stateOf, type Entry } from './relay-entry.js';

/** Bytes held ahead of the writer at most (before deliveries pause). */
export const defaultRelayBudget = 16 * 1024 * 1024;

export class BlobRelay {
  private readonly entries = new Map<string, Entry>();
  private held = 0;
  private readonly paused = new Set<Entry>();
  /** The entry the writer waits on, when it has nothing to read. */
  private starved: Entry | undefined;
  private failure: unknown = undefined;
  /** Blobs spilled to the cache (counted for the result and the tests). */
  spilled = 0;
  private readonly hasher = new PieceHasher();

  constructor(
    private readonly cache: BlobCache,
    /** The bundle's order: lower first. */
    private readonly rank: (digest: string) => number,
    private readonly budget = defaultRelayBudget,
    /** Bytes per piece handed to the writer (see Pieces). */
    private readonly piece = defaultPieceSize,
  ) {}

  /** Whether `digest` comes through here (it is fetched in this build). */
  expects(digest: string): boolean {
    return this.entries.has(digest);
  }

  /** Registers a blob to be fetched in this build. */
  expect(digest: string): void {
    if (!this.entries.has(digest)) this.entries.set(digest, newEntry(digest));
  }

  /** Whether the blob was delivered whole already (a second repository's copy is a mount). */
  delivered(digest: string): boolean {
    const s = this.entries.get(digest)?.state;
    return s === 'done' || s === 'spilled';
  }

  /**
   * Takes a blob's bytes from its fetch, checking them unless the fetch
   * did (`verified`). Resolves when the last byte is held, read by the
   * writer, or in the cache; rejects with the source's error (the writer,
   * if it is reading the blob, fails with it too).
   */
  async deliver(
    desc: Descriptor,
    chunks: BlobChunks,
    verified: boolean,
    what: string,
  ): Promise<void> {
    const e = this.entries.get(desc.digest);
    if (e === undefined || e.state !== 'waiting')
      throw new Error(`no delivery expected for ${desc.digest}`);
    e.state = 'arriving';
    const check = verified ? undefined : new PieceVerifier(this.hasher, desc, what);
    const it = chunks[Symbol.asyncIterator]();
    const pieces = new Pieces(desc.size, this.piece, (piece) => {
      this.take(e, piece, check);
    });
    try {
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        pieces.add(r.value);
        if (!e.reading && this.held > this.budget) await this.pause(e);
        if (stateOf(e) === 'failed') throw asError(e.error);
        if (stateOf(e) === 'spilling') {
          pieces.flush();
          await check?.settled();
          check?.drop();
          await this.spill(e, desc, it, what, check === undefined);
          return;
        }
        if (this.failure !== undefined) throw asError(this.failure);
      }
      pieces.flush();
      await check?.finish();
      e.state = 'done';
      this.notify(e);
    } catch (err) {
      check?.drop();
      this.fail(e, err);
      await it.return(undefined);
      throw err;
    }
  }

  /** The blob's bytes for the writer, as they arrive (from the cache if it was spilled). */
  async *open(digest: string): AsyncGenerator<Buffer> {
    const e = this.entries.get(digest);
    if (e === undefined) throw new Error(`no delivery expected for ${digest}`);
    e.reading = true;
    this.paused.delete(e);
    e.wake();
    for (;;) {
      const chunk = e.chunks.shift();
      if (chunk !== undefined) {
        this.release(chunk.length);
        yield chunk;
        continue;
      }
      if (e.state === 'done') break;
      if (e.state === 'failed') throw e.error;
      if (e.state === 'spilled') {
        yield* this.cache.open(digest);
        break;
      }
      await this.starve(e);
    }
    this.entries.set(digest, { ...newEntry(digest), state: 'done' });
  }

  /** Ends the hashing thread (it idles unreferenced until then). */
  close(): Promise<void> {
    return this.hasher.close();
  }

  /** The build failed: every waiting delivery and reader fails with `err`. */
  abandon(err: unknown): void {
    this.failure ??= err;
    for (const e of this.entries.values()) {
      if (e.state === 'waiting' || e.state === 'arriving') this.fail(e, err);
    }
  }

  /** A piece of `e`, held for the writer: at once, or once `check` hashed it (it counts as held meanwhile). */
  private take(e: Entry, piece: Buffer, check: PieceVerifier | undefined): void {
    if (check === undefined) {
      this.held += piece.length;
      this.hold(e, piece);
      return;
    }
    // Read before it is sent: the piece reads as empty once its memory moved.
    const n = piece.length;
    // Throws, sending nothing, when the blob is longer than its descriptor says.
    check.update(
      piece,
      (back) => {
        movedReadBuffer(piece, back);
        if (e.state === 'failed') this.release(back.length);
        else this.hold(e, back);
      },
      // The hashing thread ended with the piece: the blob fails (its delivery must not wait on the budget for ever).
      (err) => {
        this.release(n);
        this.fail(e, err);
      },
    );
    this.held += n;
  }

  private hold(e: Entry, chunk: Buffer): void {
    e.chunks.push(chunk);
    this.notify(e);
  }

  private release(n: number): void {
    this.held -= n;
    if (this.held > this.budget) return;
    for (const p of this.paused) p.wake();
    this.paused.clear();
  }

  private async pause(e: Entry): Promise<void> {
    while (!e.reading && this.held > this.budget && e.state === 'arriving') {
      if (this.failure !== undefined) return;
      this.paused.add(e);
      // Taken before unjam, which may wake this very entry (to spill it).
      const changed = e.changed;
      this.unjam();
      await changed;
    }
    this.paused.delete(e);
  }

  /** The writer waits for `e`: if its fetch cannot start because paused deliveries hold the slots, spill one. */
  private async starve(e: Entry): Promise<void> {
    this.starved = e;
    const changed = e.changed;
    this.unjam();
    await changed;
    this.starved = undefined;
  }

  private unjam(): void {
    if (this.starved?.state !== 'waiting' || this.paused.size === 0) return;
    let farthest: Entry | undefined;
    for (const p of this.paused)
      if (farthest === undefined || this.rank(p.digest) > this.rank(farthest.digest)) farthest = p;
    if (farthest === undefined) return;
    this.paused.delete(farthest);
    farthest.state = 'spilling';
    farthest.wake();
  }

  /**
   * What was held, then the rest of the fetch, into the cache; the writer
   * reads it there. The cache checks the digest unless the fetch does.
   */
  private async spill(
    e: Entry,
    desc: Descriptor,
    it: AsyncIterator<Buffer>,
    what: string,
    verified: boolean,
  ): Promise<void> {
    this.spilled++;
    const held = e.chunks.splice(0);
    this.release(held.reduce((n, c) => n + c.length, 0));
    async function* rest(): AsyncGenerator<Buffer> {
      yield* held;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
    }
    await this.cache.put(desc, Readable.from(rest()), what, verified);
    e.state = 'spilled';
    this.notify(e);
  }

  private fail(e: Entry, err: unknown): void {
    e.state = 'failed';
    e.error = err;
    this.release(e.chunks.splice(0).reduce((n, c) => n + c.length, 0));
    this.notify(e);
  }

  private notify(e: Entry): void {
    e.wake();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
