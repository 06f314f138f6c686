/**
 * .xz files for bundles (xz-file-format 1.0.4): writing Streams of stored
 * (uncompressed) LZMA2 Blocks at disk speed, reading their Indexes from the
 * tail, random access to any byte range, and sequential decoding of any .xz
 * file, whatever encoder made it.
 *
 * - {@link XzWriter}: streaming writer, one Block per span of the caller's
 *   choosing, CRC32 checks; `finish()` reports where every Block landed.
 * - {@link storedBlockLayout}, {@link storedBlockSize}, {@link storedStreamSize}:
 *   the exact sizes XzWriter will produce, from uncompressed sizes alone.
 * - {@link readXzIndex}: Blocks and Streams of a file, from its Indexes.
 * - {@link openXzRange}: a Readable of one uncompressed range, reading only
 *   the Blocks that cover it; verified Block by Block.
 * - {@link decompressXzFile}: a Readable of a whole file, any compression.
 * - The pure format functions (no I/O) for each field of the format.
 *
 * Errors are BmpackError: E_XZ_INVALID for malformed or corrupt data (naming
 * the file, and the Block's offset when one is at fault), E_IO for file
 * errors, E_INTERNAL for misuse of the writer. The pure functions throw
 * {@link XzFormatError} for bad input bytes and RangeError for bad arguments.
 */

// Files and streams.
export { XzWriter, type XzWriterOptions } from './xz-writer.js';
export { readXzIndex } from './read-index.js';
export { openXzRange, xzRangeChunks } from './range-reader.js';
export { anyLzmaFile, startsWithLzmaChunk } from './lzma-bundle-probe.js';
export { decodeFileWithXzTool, xzTool } from './xz-tool-decoder.js';
export { decodeBlock } from './block-decoder.js';
export { decompressXzFile } from './decompress-file.js';
export type { XzBlockInfo, XzIndex, XzStreamInfo, XzSummary } from './xz-layout.js';

// Size prediction for the files XzWriter writes.
export {
  storedBlockHeaderFields,
  storedBlockLayout,
  storedBlockSize,
  storedStreamSize,
  WRITER_CHECK_TYPE,
  type StoredBlockLayout,
} from './stored-block-layout.js';

// Pure format math, one module per part of the spec.
export { XzFormatError } from './format-error.js';
export { decodeVli, encodeVli, vliSize, writeVli, VLI_MAX_BYTES, type DecodedVli } from './vli.js';
export { CheckType, checkName, checkSize } from './check-type.js';
export {
  encodeStreamHeader,
  parseStreamHeader,
  HEADER_MAGIC,
  STREAM_HEADER_SIZE,
  type StreamHeader,
} from './stream-header.js';
export {
  encodeStreamFooter,
  parseStreamFooter,
  FOOTER_MAGIC,
  STREAM_FOOTER_SIZE,
  type StreamFooter,
} from './stream-footer.js';
export {
  blockHeaderSize,
  blockHeaderSizeFromFirstByte,
  encodeBlockHeader,
  parseBlockHeader,
  type BlockHeader,
  type BlockHeaderFields,
  type FilterFlags,
} from './block-header.js';
export { encodeIndex, indexSize, parseIndex, type IndexRecord } from './index-encoding.js';
export { LZMA2_FILTER_ID, STORED_DICT_PROPERTY, lzma2DictionarySize } from './lzma2-filter.js';
export {
  STORED_CHUNK_HEADER_SIZE,
  STORED_CHUNK_MAX,
  storedChunkCount,
  storedLzma2Size,
  writeStoredChunkHeader,
} from './lzma2-stored-chunks.js';
export { createBlockCheck, type BlockCheck } from './block-check.js';
export { Crc64 } from './crc64.js';
