/**
 * One pass over a tar's headers, entry by entry: extended headers (pax
 * 'x', GNU 'L'/'K') applied to the entry they precede, paths normalised and
 * checked, data skipped (by position for a plain tar) or streamed past (for
 * decoded xz, hashing it on the way when asked). JSON documents (layout
 * files, and any small entry that starts with `{` or `[`) are kept in memory
 * so that nothing has to go back for them.
 */
import { createHash, type Hash } from 'node:crypto';
import { bundleInvalid } from './archive-errors.js';
import {
  ArchiveFormatError,
  isHeaderOnly,
  isZeroBlock,
  normalizeTarPath,
  parsePaxRecords,
  parseTarHeader,
  paxSize,
  tarBlockSize,
  type TarEntryKind,
  tarPadding,
} from '../bundle-format/index.js';
import { maxDocumentSize, startsLikeJson, wellKnownFiles } from './json-document.js';
import type { TarInput } from './tar-input.js';

/** Kinds an entry can end up with (extended headers are folded in). */
export type EntryKind = Exclude<
  TarEntryKind,
  'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link'
>;

export interface ScannedEntry {
  /** Normalised path ('' for the archive root). */
  readonly path: string;
  /** The path as the archive writes it, for messages. */
  readonly rawPath: string;
  readonly kind: EntryKind;
  readonly linkName: string;
  /** Offset of the entry's first header (an extended header, when it has one). */
  readonly headerOffset: number;
  /** Offset of its data. */
  readonly dataOffset: number;
  readonly size: number;
  /** Its bytes, when kept as a JSON document. */
  readonly document?: Buffer;
  /** sha256 of its data, when the scan hashes. */
  readonly sha256?: string;
  /** Its first bytes (up to 4), when the scan saw them. */
  readonly head?: Buffer;
}

export interface ScanOptions {
  /** The archive, for messages. */
  readonly file: string;
  /** Hash every regular file (for inputs that read skipped data anyway). */
  readonly hash: boolean;
}

/** Extended headers are small; anything bigger is damage. */
const maxExtendedHeader = 1024 * 1024;
/** Total bytes of documents kept beyond the well-known files. */
const documentBudget = 256 * 1024 * 1024;
const headSize = 4;

export class TarScanner {
  private done = false;
  private kept = 0;

  constructor(
    private readonly input: TarInput,
    private readonly options: ScanOptions,
  ) {}

  private fail(problem: string, entry?: string): never {
    throw bundleInvalid(this.options.file, problem, entry === undefined ? {} : { entry });
  }

  /** The next entry, or undefined at the end-of-archive marker. */
  async next(): Promise<ScannedEntry | undefined> {
    if (this.done) return undefined;
    const headerOffset = this.input.position;
    let pax: Map<string, string> | undefined;
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const at = this.input.position;
      const block = await this.input.read(tarBlockSize);
      if (block.length === 0) {
        this.fail(`the tar ends at byte ${at} without its end-of-archive marker (truncated?)`);
      }
      if (block.length < tarBlockSize) this.fail(`the tar ends inside the header at byte ${at}`);
      if (isZeroBlock(block)) {
        if (pax !== undefined || longName !== undefined || longLink !== undefined) {
          this.fail(`an extended header at byte ${headerOffset} is followed by no entry`);
        }
        this.done = true;
        return undefined;
      }
      let header;
      try {
        header = parseTarHeader(block);
      } catch (err) {
        if (!(err instanceof ArchiveFormatError)) throw err;
        throw bundleInvalid(
          this.options.file,
          new ArchiveFormatError(`tar entry at byte ${at}: ${err.message}`, { cause: err }),
        );
      }
      if (header.kind === 'pax' || header.kind === 'pax-global') {
        const data = await this.readExtended(header.size, header.name);
        // Global records (git archive's comment) describe no entry: ignored.
        if (header.kind === 'pax') pax = this.parsePax(data, header.name);
        continue;
      }
      if (header.kind === 'gnu-long-name' || header.kind === 'gnu-long-link') {
        const data = await this.readExtended(header.size, header.name);
        const end = data.indexOf(0);
        const text = data.subarray(0, end === -1 ? data.length : end).toString('utf8');
        if (header.kind === 'gnu-long-name') longName = text;
        else longLink = text;
        continue;
      }
      const rawPath = pax?.get('path') ?? longName ?? header.name;
      const sparse = [...(pax?.keys() ?? [])].some((k) => k.startsWith('GNU.sparse.'));
      const kind: EntryKind = sparse ? 'other' : header.kind;
      const paxSizeText = pax?.get('size');
      let size: number;
      try {
        // A sparse entry's pax size is its expanded size; what follows is the header's.
        size = isHeaderOnly(header)
          ? 0
          : paxSizeText !== undefined && !sparse
            ? paxSize(paxSizeText)
            : header.size;
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err), rawPath);
      }
      let path: string;
      try {
        path = normalizeTarPath(rawPath);
      } catch (err) {
        if (!(err instanceof ArchiveFormatError)) throw err;
        throw bundleInvalid(this.options.file, `tar entry at byte ${at}: ${err.message}`, {
          entry: rawPath,
          hint: `bmpack refuses archives with absolute or climbing paths: ${this.options.file} was not made from an image layout or by docker save, or was tampered with.`,
        });
      }
      const linkName = pax?.get('linkpath') ?? longLink ?? header.linkName;
      return await this.data({
        path,
        rawPath,
        kind,
        linkName,
        headerOffset,
        dataOffset: this.input.position,
        size,
      });
    }
  }

  private parsePax(data: Buffer, name: string): Map<string, string> {
    try {
      return parsePaxRecords(data);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err), name);
    }
  }

  private async readExtended(size: number, name: string): Promise<Buffer> {
    if (size > maxExtendedHeader) this.fail(`extended header of ${size} bytes`, name);
    const data = await this.input.read(size);
    if (data.length < size) this.truncated(name);
    await this.skipPadding(size, name);
    return data;
  }

  private truncated(entry: string): never {
    this.fail(
      `the tar ends inside entry ${JSON.stringify(entry)} at byte ${this.input.position} (truncated?)`,
      entry,
    );
  }

  private async skipPadding(size: number, entry: string): Promise<void> {
    const pad = tarPadding(size);
    if (pad > 0 && (await this.input.skip(pad)) < pad) this.truncated(entry);
  }

  /** Passes the entry's data (keeping, hashing or skipping it) and its padding. */
  private async data(entry: ScannedEntry): Promise<ScannedEntry> {
    const { size } = entry;
    if (entry.kind !== 'file' && size > 0) {
      if ((await this.input.skip(size)) < size) this.truncated(entry.rawPath);
      await this.skipPadding(size, entry.rawPath);
      return entry;
    }
    if (entry.kind !== 'file') return entry;
    const hash = this.options.hash ? createHash('sha256') : undefined;
    let document: Buffer | undefined;
    if (size > 0 && size <= maxDocumentSize) document = await this.maybeDocument(entry);
    let head: Buffer | undefined;
    if (document !== undefined) {
      hash?.update(document);
      head = document.subarray(0, headSize);
    } else if (size > 0) {
      head = await this.skipData(entry, hash);
    }
    await this.skipPadding(size, entry.rawPath);
    return {
      ...entry,
      ...(document !== undefined ? { document } : {}),
      ...(hash !== undefined ? { sha256: `sha256:${hash.digest('hex')}` } : {}),
      ...(head !== undefined ? { head } : size === 0 ? { head: Buffer.alloc(0) } : {}),
    };
  }

  private async maybeDocument(entry: ScannedEntry): Promise<Buffer | undefined> {
    const named = wellKnownFiles.has(entry.path);
    if (!named && this.kept + entry.size > documentBudget) return undefined;
    const first = await this.input.peek(1);
    if (!named && !startsLikeJson(first[0])) return undefined;
    const bytes = await this.input.read(entry.size);
    if (bytes.length < entry.size) this.truncated(entry.rawPath);
    if (!named) this.kept += bytes.length;
    // A copy: the input's buffers may be views of larger reads.
    return Buffer.from(bytes);
  }

  /** Moves past the data, hashing it and noting its first bytes when they pass by. */
  private async skipData(entry: ScannedEntry, hash: Hash | undefined): Promise<Buffer | undefined> {
    let head: Buffer | undefined;
    const sink =
      hash !== undefined || this.input.sequential
        ? (chunk: Buffer): void => {
            hash?.update(chunk);
            if (head === undefined) head = Buffer.from(chunk.subarray(0, headSize));
            else if (head.length < headSize) {
              head = Buffer.concat([head, chunk.subarray(0, headSize - head.length)]);
            }
          }
        : undefined;
    if ((await this.input.skip(entry.size, sink)) < entry.size) this.truncated(entry.rawPath);
    return head;
  }
}
