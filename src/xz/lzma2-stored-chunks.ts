/**
 * LZMA2 data made only of uncompressed ("stored") chunks. LZMA2 has no spec
 * of its own; the layout below is what liblzma's lzma2_decoder.c and
 * xz-embedded's xz_dec_lzma2.c accept:
 *
 *   0x00                  end of LZMA2 data
 *   0x01 SS SS + data     uncompressed chunk, dictionary reset
 *   0x02 SS SS + data     uncompressed chunk, no dictionary reset
 *   0x80-0xFF ...         LZMA-compressed chunks (never written by us)
 *
 * SS SS is the chunk size minus one, big-endian, so a chunk holds 1 to 64 KiB.
 * Both decoders refuse a first chunk that does not reset the dictionary, so
 * the first chunk of every Block is 0x01 and later ones 0x02.
 */

/** Most data bytes one uncompressed chunk can carry. */
export const STORED_CHUNK_MAX = 0x10000;
/** Bytes before each chunk's data: control byte and 16-bit size. */
export const STORED_CHUNK_HEADER_SIZE = 3;

/** Control byte: end of the LZMA2 data. */
export const LZMA2_CONTROL_END = 0x00;
/** Control byte: uncompressed chunk that resets the dictionary. */
export const LZMA2_CONTROL_STORED_RESET = 0x01;
/** Control byte: uncompressed chunk that keeps the dictionary. */
export const LZMA2_CONTROL_STORED = 0x02;
/** Control bytes from this value up start LZMA-compressed chunks. */
export const LZMA2_CONTROL_LZMA_MIN = 0x80;

/** How many chunks `size` bytes take when every chunk but the last is full. */
export function storedChunkCount(size: number): number {
  return Math.ceil(size / STORED_CHUNK_MAX);
}

/**
 * Size of the LZMA2 data carrying `size` bytes in stored chunks: the data,
 * three bytes per started 64 KiB chunk, and the end byte.
 */
export function storedLzma2Size(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`LZMA2 stored size ${size} is not a non-negative safe integer`);
  }
  return size + STORED_CHUNK_HEADER_SIZE * storedChunkCount(size) + 1;
}

/** Writes the three-byte header of a stored chunk of `size` (1-65536) bytes at `offset`. */
export function writeStoredChunkHeader(
  size: number,
  resetDictionary: boolean,
  target: Uint8Array,
  offset: number,
): void {
  if (!Number.isInteger(size) || size < 1 || size > STORED_CHUNK_MAX) {
    throw new RangeError(`LZMA2 stored chunk of ${size} bytes; 1-65536 allowed`);
  }
  target[offset] = resetDictionary ? LZMA2_CONTROL_STORED_RESET : LZMA2_CONTROL_STORED;
  target[offset + 1] = (size - 1) >>> 8;
  target[offset + 2] = (size - 1) & 0xff;
}
