/**
 * A BundleSource over a tar (plain or inside xz) whose blobs have been
 * located: by bmpack.json's offsets (bmpack bundles, each header checked
 * when its blob is opened) or by a scan of the headers (everything else).
 * Documents are verified against their digests before they are returned;
 * blobs stream as stored and the consumer verifies them as they pass.
 */
import {
  ArchiveFormatError,
  type BundleMetadata,
  parseTarHeader,
  tarBlockSize,
} from '../bundle-format/index.js';
import { digestLike } from '../content/digest.js';
import { isBmpackError, type BmpackError } from '../errors.js';
import { bundleInvalid, documentMismatch } from './archive-errors.js';
import type { BlobChunks, BundleKind, BundleSource, SourceImage } from './bundle-source.js';
import { maxDocumentSize } from './json-document.js';
import type { TarRangeReader } from './tar-range-reader.js';

export interface BlobLocation {
  readonly size: number;
  /** Offset of the blob's bytes in the tar. */
  readonly dataOffset: number;
  /**
   * When set, the tar header just before the data must carry this path and
   * the blob's size: offsets computed from bmpack.json are checked against
   * what the archive really holds before any byte is served.
   */
  readonly headerPath?: string;
  /** Its bytes, when the scan kept them in memory. */
  readonly document?: Buffer;
}

export interface TarBundleSourceParts {
  readonly path: string;
  readonly kind: BundleKind;
  readonly container: 'tar' | 'xz';
  readonly metadata?: BundleMetadata;
  readonly images: readonly SourceImage[];
  readonly blobs: ReadonlyMap<string, BlobLocation>;
  /** Documents that exist only in memory (manifests made for docker-archive images). */
  readonly synthesized?: ReadonlyMap<string, Buffer>;
  /**
   * The tar bytes [start, end) that hold every index and manifest (bmpack
   * bundles store them first, one after the other): read in one piece on
   * the first readDocument, rather than one read (and, in a single-block
   * .tar.xz, one decoder restart) per document.
   */
  readonly documentSpan?: Span;
  readonly reader: TarRangeReader;
}

/** Tar bytes [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Verified documents kept for repeated readDocument calls, in total at most. */
const verifiedCacheBytes = 64 * 1024 * 1024;
/** How far past a bad header an xz Block is read to tell damage from misplacement. */
const diagnosisLimit = 33 * 1024 * 1024;

export class TarBundleSource implements BundleSource {
  readonly path: string;
  readonly kind: BundleKind;
  readonly container: 'tar' | 'xz';
  readonly metadata?: BundleMetadata;
  readonly images: readonly SourceImage[];
  readonly randomAccess: boolean;
  readonly blobOrder: readonly string[];
  private readonly blobs: ReadonlyMap<string, BlobLocation>;
  private readonly synthesized: ReadonlyMap<string, Buffer>;
  private readonly reader: TarRangeReader;
  private readonly verified = new Map<string, Buffer>();
  private verifiedBytes = 0;
  private readonly documentSpan: Span | undefined;
  private spanBytes: Promise<Buffer> | undefined;

  constructor(parts: TarBundleSourceParts) {
    this.path = parts.path;
    this.kind = parts.kind;
    this.container = parts.container;
    if (parts.metadata !== undefined) this.metadata = parts.metadata;
    this.images = parts.images;
    this.blobs = parts.blobs;
    this.synthesized = parts.synthesized ?? new Map();
    this.reader = parts.reader;
    this.documentSpan = parts.documentSpan;
    this.randomAccess = parts.reader.randomAccess;
    this.blobOrder = [...parts.blobs]
      .sort(([, a], [, b]) => a.dataOffset - b.dataOffset)
      .map(([digest]) => digest);
  }

  /** Where each blob's bytes are in the tar (for `bundle verify`, which reads them in bulk). */
  blobLocations(): ReadonlyMap<string, BlobLocation> {
    return this.blobs;
  }

  blobSize(digest: string): number | undefined {
    return this.blobs.get(digest)?.size ?? this.synthesized.get(digest)?.length;
  }

  async readDocument(digest: string): Promise<Buffer> {
    // Copies out of the cache: a caller that edits its buffer must not change ours.
    const known = this.verified.get(digest);
    if (known !== undefined) return Buffer.from(known);
    const bytes = this.synthesized.get(digest) ?? (await this.readStored(digest));
    const actual = digestLike(digest, bytes);
    if (actual !== digest) throw documentMismatch(this.path, digest, actual);
    if (this.verifiedBytes + bytes.length <= verifiedCacheBytes) {
      this.verified.set(digest, Buffer.from(bytes));
      this.verifiedBytes += bytes.length;
    }
    return bytes;
  }

  private async readStored(digest: string): Promise<Buffer> {
    const loc = this.locate(digest);
    if (loc.document !== undefined) return loc.document;
    if (loc.size > maxDocumentSize) {
      throw bundleInvalid(
        this.path,
        `blob ${digest} is ${loc.size} bytes, more than the ${maxDocumentSize} a manifest, index or config may have`,
        { blob: digest },
      );
    }
    const span = this.documentSpan;
    if (span !== undefined && loc.dataOffset >= span.start && loc.dataOffset + loc.size <= span.end)
      return this.fromSpan(digest, loc, span);
    const parts: Buffer[] = [];
    for await (const chunk of this.stored(digest, loc)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** A document cut out of the span read once, its tar header checked as `stored` does. */
  private async fromSpan(digest: string, loc: BlobLocation, where: Span): Promise<Buffer> {
    this.spanBytes ??= this.readSpan(where);
    const span = await this.spanBytes;
    const at = loc.dataOffset - where.start;
    if (loc.headerPath !== undefined) {
      const header = span.subarray(at - tarBlockSize, at);
      const problem = this.headerProblem(header, loc, digest, loc.dataOffset - tarBlockSize);
      if (problem !== undefined) throw problem;
    }
    return Buffer.from(span.subarray(at, at + loc.size));
  }

  private async readSpan({ start, end }: Span): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.reader.chunks(start, end - start, 'the manifests'))
      parts.push(chunk);
    return Buffer.concat(parts);
  }

  openBlob(digest: string): BlobChunks {
    const inMemory = this.synthesized.get(digest) ?? this.blobs.get(digest)?.document;
    if (inMemory !== undefined) return once(inMemory);
    return this.stored(digest, this.locate(digest));
  }

  private locate(digest: string): BlobLocation {
    const loc = this.blobs.get(digest);
    if (loc === undefined) {
      throw bundleInvalid(this.path, `the archive holds no blob ${digest}`, {
        blob: digest,
        hint: `An image in ${this.path} refers to content the archive lacks: re-create the archive with every blob of its images.`,
      });
    }
    return loc;
  }

  /** The blob's stored bytes, after its header when one must be checked. */
  private async *stored(digest: string, loc: BlobLocation): BlobChunks {
    const what = `blob ${digest}`;
    if (loc.headerPath === undefined) {
      yield* this.reader.chunks(loc.dataOffset, loc.size, what);
      return;
    }
    const headerOffset = loc.dataOffset - tarBlockSize;
    const chunks = this.reader.chunks(headerOffset, tarBlockSize + loc.size, what);
    const head: Buffer[] = [];
    let have = 0;
    for await (const chunk of chunks) {
      if (have === tarBlockSize) {
        yield chunk;
        continue;
      }
      const n = Math.min(tarBlockSize - have, chunk.length);
      head.push(chunk.subarray(0, n));
      have += n;
      if (have === tarBlockSize) {
        const problem = this.headerProblem(Buffer.concat(head), loc, digest, headerOffset);
        if (problem !== undefined) throw await this.rootCause(problem, chunks);
      }
      if (n < chunk.length) yield chunk.subarray(n);
    }
  }

  private headerProblem(
    block: Buffer,
    loc: BlobLocation,
    digest: string,
    at: number,
  ): BmpackError | undefined {
    let found: string;
    try {
      const h = parseTarHeader(block);
      if (h.name === loc.headerPath && h.kind === 'file' && h.size === loc.size) return undefined;
      found = `${JSON.stringify(h.name)} (${h.kind}, ${h.size} bytes)`;
    } catch (err) {
      if (!(err instanceof ArchiveFormatError)) throw err;
      found = `no valid tar header (${err.message})`;
    }
    return bundleInvalid(
      this.path,
      `bmpack.json places blob ${digest} at byte ${at} of the tar (${loc.headerPath ?? ''}, ${loc.size} bytes), but the archive has ${found} there`,
      {
        blob: digest,
        hint: `${this.path} was changed after bmpack wrote it, or is damaged: copy it again and compare its checksum, or re-create it.`,
      },
    );
  }

  /**
   * A header inside an xz Block is seen before the Block's Check is
   * verified: read on a little (the rest of a Block holding a large blob's
   * header is at most 32 MiB, docs/bundle-format.md §4) so that a damaged
   * Block is reported as such rather than as a misplaced blob.
   */
  private async rootCause(
    problem: BmpackError,
    rest: AsyncGenerator<Buffer>,
  ): Promise<BmpackError> {
    if (this.container !== 'xz') return problem;
    try {
      for (let read = 0, r = await rest.next(); r.done !== true; r = await rest.next()) {
        read += r.value.length;
        if (read > diagnosisLimit) break;
      }
    } catch (err) {
      if (isBmpackError(err, 'E_XZ_INVALID')) return err;
    }
    return problem;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

// eslint-disable-next-line @typescript-eslint/require-await -- a generator, for the BlobChunks shape
async function* once(bytes: Buffer): BlobChunks {
  yield bytes;
}
