/**
 * Decodes one Block with LZMA-compressed chunks through xz-decompress (the
 * xz-embedded decoder compiled to WebAssembly). It only decodes whole
 * Streams, so the Block is wrapped in a synthesized one-Block Stream:
 * Stream Header, the Block's header and compressed data, Block Padding, a
 * one-Record Index and a Stream Footer (xz-file-format 1.0.4 §2.1, §3, §4).
 *
 * The synthesized Stream declares Check type None and leaves the Block's
 * Check out: xz-embedded then never meets a check it lacks (its build has no
 * SHA-256), and the caller verifies the real Check, the same way for every
 * Block. xz-embedded still verifies the Block Header CRC32, the LZMA2 data,
 * and the compressed and uncompressed sizes against the header and the
 * Record.
 *
 * xz-decompress lets only one decoder run at a time in the whole process
 * (a mutex around its WebAssembly contexts): a stream that is started must
 * be read to its end or cancelled before another can start.
 */
import type { BundleFile } from '../fs/bundle-file.js';
import type { ReadableStreamReadResult } from 'node:stream/web';
import { BmpackError } from '../errors.js';
import { CheckType } from './check-type.js';
import { FileWindow } from './file-window.js';
import { XzFormatError } from './format-error.js';
import { encodeIndex } from './index-encoding.js';
import { encodeStreamFooter } from './stream-footer.js';
import { encodeStreamHeader } from './stream-header.js';
import { roundUp4 } from './xz-layout.js';

/** Bytes read from the file per piece of input. */
const INPUT_WINDOW = 256 * 1024;

/** xz-embedded's enum xz_ret (xz.h), for messages. */
const XZ_RET: Record<string, string> = {
  '2': 'unsupported check',
  '3': 'out of memory',
  '4': 'dictionary larger than xz-decompress allows (64 MiB)',
  '5': 'not an xz stream',
  '6': 'unsupported filters or options',
  '7': 'corrupt compressed data',
  '8': 'compressed data cut short',
};

/** The part of the file that holds one Block, without its Block Padding and Check. */
export interface EmbeddedBlockSource {
  fh: BundleFile;
  path: string;
  /** Offset of the Block Header. */
  offset: number;
  headerSize: number;
  compressedSize: number;
  uncompressedSize: number;
}

async function* synthesizedStream(src: EmbeddedBlockSource): AsyncGenerator<Uint8Array> {
  yield encodeStreamHeader(CheckType.None);
  const unpaddedSize = src.headerSize + src.compressedSize;
  const window = new FileWindow(
    src.fh,
    src.path,
    src.offset,
    src.offset + unpaddedSize,
    INPUT_WINDOW,
  );
  while (window.remaining > 0) yield await window.take(window.remaining);
  yield new Uint8Array(roundUp4(unpaddedSize) - unpaddedSize);
  const index = encodeIndex([{ unpaddedSize, uncompressedSize: src.uncompressedSize }]);
  yield index;
  yield encodeStreamFooter(CheckType.None, index.length);
}

function decoderError(err: unknown): Error {
  if (err instanceof BmpackError || err instanceof XzFormatError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = /error code (\d+)/.exec(message)?.[1];
  const problem = code === undefined ? message : (XZ_RET[code] ?? `xz-embedded error ${code}`);
  return new XzFormatError(`cannot decode the block: ${problem}`, { cause: err });
}

/** The uncompressed bytes of the Block, in pieces, as xz-embedded produces them. */
export async function* decodeWithXzEmbedded(src: EmbeddedBlockSource): AsyncGenerator<Uint8Array> {
  // Loaded on first use: bmpack's own bundles never need it, and its module
  // (a WebAssembly decoder in a base64 string) would cost every start.
  const { XzReadableStream } = await import('./xz-decompress-module.js');
  // A builtin, fetched at first use (not import(): the single-file build
  // runs in a vm.Script, which has no dynamic import of its own).
  const { ReadableStream } = process.getBuiltinModule('node:stream/web');
  const reader = new XzReadableStream(ReadableStream.from(synthesizedStream(src))).getReader();
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        finished = true; // an errored stream has released xz-decompress's mutex
        throw decoderError(err);
      }
      if (result.done) {
        finished = true;
        return;
      }
      if (result.value.length > 0) yield result.value;
    }
  } finally {
    // Stopped early: cancelling disposes of the context and frees the mutex.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
