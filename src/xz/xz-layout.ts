/**
 * Where things are in an .xz file: the per-Block facts that XzWriter reports
 * and readXzIndex recovers, in one shape so that the two can be compared.
 */

/** One Block (xz-file-format 1.0.4 §3) and where its data lands once uncompressed. */
export interface XzBlockInfo {
  /** Offset of the Block Header in the file (for XzWriter: in what it wrote). */
  compressedOffset: number;
  /** Block Header + Compressed Data + Check, without Block Padding (§4.3.1). */
  unpaddedSize: number;
  /** Bytes the Block takes in the file: `unpaddedSize` rounded up to four. */
  totalSize: number;
  /** Offset of the Block's first byte in the uncompressed data of the whole file. */
  uncompressedOffset: number;
  uncompressedSize: number;
  /** Check ID of the Block's Stream (§2.1.1.2). */
  checkType: number;
}

/** One Stream (§2.1) of a file. */
export interface XzStreamInfo {
  /** Offset of the Stream Header. */
  compressedOffset: number;
  /** Stream Header through Stream Footer. */
  compressedSize: number;
  /** Null bytes of Stream Padding after the Stream (§2.2). */
  paddingSize: number;
  uncompressedOffset: number;
  uncompressedSize: number;
  checkType: number;
  /** This Stream's Blocks are `blocks.slice(firstBlock, firstBlock + blockCount)` of the XzIndex. */
  firstBlock: number;
  blockCount: number;
}

/** Everything the Indexes of an .xz file say, for random access. */
export interface XzIndex {
  /** Size of the file in bytes. */
  fileSize: number;
  /** Total uncompressed size of all Streams. */
  uncompressedSize: number;
  streams: XzStreamInfo[];
  /** All Blocks of all Streams, in file order. */
  blocks: XzBlockInfo[];
}

/** What XzWriter.finish reports about the Stream it wrote. */
export interface XzSummary {
  blocks: XzBlockInfo[];
  /** Bytes written: the whole Stream. */
  compressedSize: number;
  uncompressedSize: number;
  /** Offset and size of the Index field (§4). */
  indexOffset: number;
  indexSize: number;
}

/** `size` rounded up to a multiple of four, as every .xz field is aligned (§2.1). */
export function roundUp4(size: number): number {
  return Math.ceil(size / 4) * 4;
}
