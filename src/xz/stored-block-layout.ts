/**
 * Exact sizes of the Blocks XzWriter writes, from the uncompressed size
 * alone: every stored chunk but the last is full, so nothing depends on how
 * the caller sliced its writes. Callers use this to know offsets inside the
 * .xz file before writing it.
 */
import { CheckType, checkSize } from './check-type.js';
import { blockHeaderSize, type BlockHeaderFields } from './block-header.js';
import { indexSize } from './index-encoding.js';
import { LZMA2_FILTER_ID, STORED_DICT_PROPERTY } from './lzma2-filter.js';
import { storedLzma2Size } from './lzma2-stored-chunks.js';
import { STREAM_FOOTER_SIZE } from './stream-footer.js';
import { STREAM_HEADER_SIZE } from './stream-header.js';

/** The Check type XzWriter uses: CRC32 is what every decoder supports (§2.1.1.2). */
export const WRITER_CHECK_TYPE = CheckType.Crc32;

/**
 * The Block Header fields of a stored Block. With `uncompressedSize` given,
 * both sizes are declared (§3.1.3, §3.1.4): xz-utils' multithreaded decoder
 * only works on Blocks that declare them.
 */
export function storedBlockHeaderFields(uncompressedSize?: number): BlockHeaderFields {
  const filters = [{ id: LZMA2_FILTER_ID, properties: Uint8Array.of(STORED_DICT_PROPERTY) }];
  if (uncompressedSize === undefined) return { filters };
  return { compressedSize: storedLzma2Size(uncompressedSize), uncompressedSize, filters };
}

/** Where the bytes of one stored Block go (§3). */
export interface StoredBlockLayout {
  headerSize: number;
  /** Size of the LZMA2 data (Compressed Data, §3.2). */
  compressedSize: number;
  /** Block Padding: 0-3 null bytes (§3.3). */
  paddingSize: number;
  checkSize: number;
  /** What the Index records: header + data + check (§4.3.1). */
  unpaddedSize: number;
  /** Bytes the Block takes in the file. */
  totalSize: number;
}

/**
 * Layout of a stored Block of `uncompressedSize` bytes with a CRC32 check.
 * `declareSizes` must match what was passed to XzWriter.beginBlock: a size
 * there means declared sizes here.
 */
export function storedBlockLayout(
  uncompressedSize: number,
  declareSizes = true,
): StoredBlockLayout {
  const headerSize = blockHeaderSize(
    storedBlockHeaderFields(declareSizes ? uncompressedSize : undefined),
  );
  const compressedSize = storedLzma2Size(uncompressedSize);
  const paddingSize = (4 - ((headerSize + compressedSize) % 4)) % 4;
  const check = checkSize(WRITER_CHECK_TYPE);
  const unpaddedSize = headerSize + compressedSize + check;
  return {
    headerSize,
    compressedSize,
    paddingSize,
    checkSize: check,
    unpaddedSize,
    totalSize: unpaddedSize + paddingSize,
  };
}

/** Bytes a stored Block of `uncompressedSize` bytes takes in the file. */
export function storedBlockSize(uncompressedSize: number, declareSizes = true): number {
  return storedBlockLayout(uncompressedSize, declareSizes).totalSize;
}

/**
 * Size of the whole .xz stream XzWriter produces for Blocks of these
 * uncompressed sizes: Stream Header, Blocks, Index and Stream Footer (§2.1).
 */
export function storedStreamSize(blockSizes: readonly number[], declareSizes = true): number {
  let size = STREAM_HEADER_SIZE + STREAM_FOOTER_SIZE;
  const records = blockSizes.map((s) => {
    const layout = storedBlockLayout(s, declareSizes);
    size += layout.totalSize;
    return { unpaddedSize: layout.unpaddedSize, uncompressedSize: s };
  });
  return size + indexSize(records);
}
