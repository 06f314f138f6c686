/**
 * The sha256 and first bytes of an entry's data: from the scan when it
 * hashed (decoded xz passes every byte anyway), else by reading the entry
 * once through the range reader, in bounded memory.
 */
import { createHash } from 'node:crypto';
import type { ScannedEntry } from './tar-scanner.js';
import type { TarRangeReader } from './tar-range-reader.js';

export interface EntryDigest {
  readonly digest: string;
  /** Up to the first four bytes. */
  readonly head: Buffer;
}

export async function entryDigest(e: ScannedEntry, reader: TarRangeReader): Promise<EntryDigest> {
  if (e.sha256 !== undefined && e.head !== undefined) return { digest: e.sha256, head: e.head };
  const hash = createHash('sha256');
  let head: Buffer = Buffer.alloc(0);
  if (e.document !== undefined) {
    hash.update(e.document);
    head = e.document.subarray(0, 4);
  } else {
    for await (const chunk of reader.chunks(e.dataOffset, e.size, JSON.stringify(e.rawPath))) {
      if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
      hash.update(chunk);
    }
  }
  return { digest: `sha256:${hash.digest('hex')}`, head };
}
