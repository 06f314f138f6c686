/**
 * Reads the Indexes of an .xz file from its tail, without touching the
 * Blocks: Stream Footer → Backward Size → Index → Stream Header, one Stream
 * at a time from the end (xz-file-format 1.0.4 §2.1.2, §4), stepping over
 * Stream Padding (§2.2) between and after Streams, as `xz --list` does.
 */
import type { BundleFile } from '../fs/bundle-file.js';
import { XzFormatError } from './format-error.js';
import { parseIndex } from './index-encoding.js';
import { openXzFile, readAt } from './file-window.js';
import { parseStreamFooter, STREAM_FOOTER_SIZE } from './stream-footer.js';
import { parseStreamHeader, STREAM_HEADER_SIZE } from './stream-header.js';
import { xzInvalid, xzIoError } from './xz-errors.js';
import { roundUp4, type XzBlockInfo, type XzIndex, type XzStreamInfo } from './xz-layout.js';

/** The smallest Stream: header, an Index with no Records (8 bytes), footer. */
const STREAM_SIZE_MIN = STREAM_HEADER_SIZE + 8 + STREAM_FOOTER_SIZE;
/** How far back one read looks for the end of Stream Padding. */
const PADDING_SCAN = 4096;

interface RawStream {
  start: number;
  size: number;
  paddingSize: number;
  checkType: number;
  records: { unpaddedSize: number; uncompressedSize: number }[];
}

/**
 * Where every Block of the .xz file at `path` is, from its Indexes. Checks
 * the CRC32s of every Stream Footer, Index and Stream Header, and that they
 * agree with each other; does not read or verify Block data.
 *
 * @throws BmpackError E_XZ_INVALID when the file is not .xz, is truncated
 *   or its tail is damaged; E_IO when it cannot be read.
 */
export async function readXzIndex(path: string): Promise<XzIndex> {
  const fh = await openXzFile(path);
  try {
    let fileSize: number;
    try {
      fileSize = (await fh.stat()).size;
    } catch (err) {
      throw xzIoError(path, 'stat', err);
    }
    return layout(fileSize, await readStreams(fh, path, fileSize));
  } catch (err) {
    throw err instanceof XzFormatError ? xzInvalid(path, err) : err;
  } finally {
    await fh.close();
  }
}

async function readStreams(fh: BundleFile, path: string, fileSize: number): Promise<RawStream[]> {
  if (fileSize === 0) throw new XzFormatError('the file is empty');
  // §2: Streams and Stream Padding are multiples of four, so is the file.
  if (fileSize % 4 !== 0)
    throw new XzFormatError(`file size ${fileSize} is not a multiple of four`);
  const streams: RawStream[] = [];
  let end = fileSize;
  while (end > 0) {
    const streamEnd = await skipPadding(fh, path, end);
    if (streamEnd < STREAM_SIZE_MIN) {
      throw new XzFormatError(
        streamEnd === 0
          ? 'no xz stream (the file holds only null bytes)'
          : 'file too small for an xz stream',
      );
    }
    const paddingSize = end - streamEnd;
    const footer = parseStreamFooter(
      await readAt(fh, path, streamEnd - STREAM_FOOTER_SIZE, STREAM_FOOTER_SIZE),
    );
    const indexStart = streamEnd - STREAM_FOOTER_SIZE - footer.indexSize;
    if (indexStart < STREAM_HEADER_SIZE)
      throw new XzFormatError('index size in the stream footer is too large');
    const records = parseIndex(await readAt(fh, path, indexStart, footer.indexSize));
    let blocksSize = 0;
    for (const r of records) blocksSize += roundUp4(r.unpaddedSize);
    const start = indexStart - blocksSize - STREAM_HEADER_SIZE;
    if (start < 0) throw new XzFormatError('index describes more blocks than the file holds');
    const header = parseStreamHeader(await readAt(fh, path, start, STREAM_HEADER_SIZE));
    // §2.1.2.3: the footer's Stream Flags must equal the header's.
    if (header.checkType !== footer.checkType) {
      throw new XzFormatError(`stream at byte ${start}: header and footer flags differ`);
    }
    streams.push({
      start,
      size: streamEnd - start,
      paddingSize,
      checkType: header.checkType,
      records,
    });
    end = start;
  }
  return streams.reverse();
}

/**
 * Offset just after the last non-null four-byte word before `end`: Stream
 * Padding is whole null words (§2.2), and a Stream always ends with the
 * footer magic "YZ", so the first non-null word going back is a footer's.
 */
async function skipPadding(fh: BundleFile, path: string, end: number): Promise<number> {
  let pos = end;
  while (pos > 0) {
    const length = Math.min(PADDING_SCAN, pos);
    const bytes = await readAt(fh, path, pos - length, length);
    for (let i = length; i >= 4; i -= 4) {
      if (bytes.readUInt32LE(i - 4) !== 0) return pos - length + i;
    }
    pos -= length;
  }
  return 0;
}

function layout(fileSize: number, raw: readonly RawStream[]): XzIndex {
  const streams: XzStreamInfo[] = [];
  const blocks: XzBlockInfo[] = [];
  let uncompressedOffset = 0;
  for (const s of raw) {
    const first = blocks.length;
    const streamUncompressedOffset = uncompressedOffset;
    let compressedOffset = s.start + STREAM_HEADER_SIZE;
    for (const r of s.records) {
      const totalSize = roundUp4(r.unpaddedSize);
      blocks.push({
        compressedOffset,
        unpaddedSize: r.unpaddedSize,
        totalSize,
        uncompressedOffset,
        uncompressedSize: r.uncompressedSize,
        checkType: s.checkType,
      });
      compressedOffset += totalSize;
      uncompressedOffset += r.uncompressedSize;
      if (uncompressedOffset > Number.MAX_SAFE_INTEGER) {
        throw new XzFormatError('uncompressed size above 2^53 - 1 bytes');
      }
    }
    streams.push({
      compressedOffset: s.start,
      compressedSize: s.size,
      paddingSize: s.paddingSize,
      uncompressedOffset: streamUncompressedOffset,
      uncompressedSize: uncompressedOffset - streamUncompressedOffset,
      checkType: s.checkType,
      firstBlock: first,
      blockCount: s.records.length,
    });
  }
  return { fileSize, uncompressedSize: uncompressedOffset, streams, blocks };
}
