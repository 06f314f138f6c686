/**
 * Whether given files are .xz files whose data is LZMA-compressed,
 * told from its first Block alone: the Stream Header (12 bytes, §2.1.1),
 * the first Block Header (its size from its first byte, §3.1.1) and the
 * first LZMA2 control byte after it (>= 0x80: an LZMA chunk, see
 * lzma2-stored-chunks.ts). bmpack's own bundles store their data (control
 * bytes 0x01/0x02); archives made by xz-utils compress theirs.
 *
 * Why: the single-file build keeps WebAssembly on V8's baseline compiler,
 * since a short command's exit would otherwise wait ~50 ms for the
 * optimising compiler's work on undici's HTTP parser. Decoding LZMA through
 * xz-decompress on the baseline compiler takes about 1.7 times as long, so
 * a command about to decode a whole foreign archive keeps the optimising one.
 * A few hundred bytes are read, synchronously, once, before anything else runs.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { LZMA2_CONTROL_LZMA_MIN } from './lzma2-stored-chunks.js';
import { HEADER_MAGIC, STREAM_HEADER_SIZE } from './stream-header.js';

/** The first bytes of `file` (fewer when it is shorter); undefined when it cannot be read. */
function head(file: string, size: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(size);
    return buf.subarray(0, readSync(fd, buf, 0, size, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when `bytes` (a file's start) is an .xz Stream whose first Block begins with an LZMA chunk. */
export function startsWithLzmaChunk(bytes: Uint8Array): boolean {
  if (!HEADER_MAGIC.every((b, i) => bytes[i] === b)) return false;
  const first = bytes[STREAM_HEADER_SIZE] ?? 0;
  // 0 is the Index Indicator: a Stream without Blocks.
  if (first === 0) return false;
  const control = bytes[STREAM_HEADER_SIZE + (first + 1) * 4];
  return control !== undefined && control >= LZMA2_CONTROL_LZMA_MIN;
}

/**
 * True when one of `files` is an .xz file of LZMA-compressed data; files
 * that cannot be read count as no. Which files a command will read is the
 * caller's to say (the CLI finds them in its command line).
 */
export function anyLzmaFile(files: readonly string[]): boolean {
  // Stream Header + the largest Block Header + one control byte.
  const size = STREAM_HEADER_SIZE + 1024 + 1;
  return files.some((file) => {
    const bytes = head(file, size);
    return bytes !== undefined && startsWithLzmaChunk(bytes);
  });
}
