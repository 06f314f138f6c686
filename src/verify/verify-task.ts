/**
 * The units of work of `bundle verify`, as they travel to worker threads
 * or processes (plain data: structured-clone safe) and what comes back.
 * A range task reads one stretch of the tar — whole xz Blocks of a .tar.xz
 * (so every Block's Check is verified exactly once) holding whole entries
 * (so every blob is hashed by one task); a file task hashes the file itself
 * for its `.sha256` sidecar.
 */
import type { XzBlockInfo } from '../xz/index.js';

export interface RangeEntry {
  readonly digest: string;
  readonly size: number;
  /** Offset of the blob's bytes in the tar. */
  readonly dataOffset: number;
  /** When set, the tar header just before the data must name this path, a file of `size` bytes. */
  readonly headerPath?: string;
  /**
   * Send the bytes back when they match the digest: manifests and indexes,
   * which the closure check then reads even when their xz Block is damaged
   * elsewhere (a matching digest vouches for them).
   */
  readonly keep?: boolean;
}

export interface RangeTask {
  readonly kind: 'range';
  readonly id: number;
  readonly file: string;
  /** Tar offsets [start, end). */
  readonly start: number;
  readonly end: number;
  /** The xz Blocks that make up [start, end); absent for a plain tar. */
  readonly blocks?: readonly XzBlockInfo[];
  /** Blobs whose header (when checked) and data lie in the range, in tar order. */
  readonly entries: readonly RangeEntry[];
}

export interface FileTask {
  readonly kind: 'file';
  readonly id: number;
  readonly file: string;
  /** Bytes to hash, for scheduling and progress. */
  readonly size: number;
}

export type VerifyTask = RangeTask | FileTask;

export type RangeFailure =
  /** The blob's bytes hash to `actual`. */
  | { readonly kind: 'digest'; readonly digest: string; readonly actual: string }
  /** The header before the blob is not the one bmpack.json implies. */
  | {
      readonly kind: 'header';
      readonly digest: string;
      readonly headerOffset: number;
      readonly found: string;
    }
  /** Not hashed to its end: some of its bytes lie in a damaged xz Block. */
  | { readonly kind: 'damaged'; readonly digest: string }
  /** The file ends before the blob does. */
  | { readonly kind: 'incomplete'; readonly digest: string }
  /** An xz Block failed its checks; it covers tar bytes [start, end). */
  | {
      readonly kind: 'xz';
      readonly blockOffset: number;
      readonly start: number;
      readonly end: number;
      readonly message: string;
    }
  | { readonly kind: 'io'; readonly message: string };

export interface TaskOutcome {
  readonly id: number;
  /** Blobs whose bytes matched their digest (and header). */
  readonly matched: number;
  /** xz Blocks whose every check passed. */
  readonly blocks: number;
  readonly failures: readonly RangeFailure[];
  /** File tasks: the file's sha256 in hex. */
  readonly sha256?: string;
  /** The bytes of the entries to keep whose digest matched. */
  readonly documents?: ReadonlyArray<{ readonly digest: string; readonly bytes: Uint8Array }>;
}

/** What a worker sends back. */
export type WorkerMessage =
  | { readonly type: 'bytes'; readonly n: number }
  | { readonly type: 'done'; readonly outcome: TaskOutcome }
  | { readonly type: 'error'; readonly message: string };

export function taskSize(t: VerifyTask): number {
  return t.kind === 'file' ? t.size : t.end - t.start;
}
