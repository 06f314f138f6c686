/**
 * Shared tools of the xz tests: deterministic data, writing files with
 * XzWriter, reading streams to the end, and the independent readers
 * (xz-utils, python3's lzma module, xz-decompress) run on the result.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { XzWriter, type XzSummary } from '../../src/xz/index.js';
import { XzReadableStream } from '../../src/xz/xz-decompress-module.js';
import { runTool } from '../rig/processes.js';
import { mulberry32, randomBuffer } from '../rig/prng.js';
import { requireTool } from '../rig/tools.js';

export const xzTool = (): string => requireTool('xz', 'xz-utils');
export const tarTool = (): string => requireTool('tar', 'tar');
export const python = (): string => requireTool('python3', 'python3');

/** `length` deterministic pseudo-random bytes for `seed`. */
export function data(seed: number, length: number): Buffer {
  return randomBuffer(mulberry32(seed), length);
}

/** Text-like bytes that LZMA compresses well, so xz-utils writes LZMA chunks. */
export function text(seed: number, length: number): Buffer {
  const next = mulberry32(seed);
  const words = ['layer', 'blob', 'sha256', 'manifest', 'index', 'tar', 'xz', 'block', '\n'];
  let out = '';
  while (out.length < length) out += `${words[next() % words.length] ?? ''} `;
  return Buffer.from(out.slice(0, length), 'latin1');
}

/** Everything a stream yields, as one buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

/**
 * Writes `blocks` as one Block each with XzWriter, feeding each in slices of
 * pseudo-random sizes (so that chunking never follows the caller's writes).
 */
export async function writeXzFile(
  path: string,
  blocks: readonly Buffer[],
  opts: { declareSizes?: boolean; seed?: number } = {},
): Promise<XzSummary> {
  const writer = new XzWriter(createWriteStream(path), { end: true, name: path });
  const next = mulberry32(opts.seed ?? 1);
  for (const block of blocks) {
    await writer.beginBlock(opts.declareSizes === false ? undefined : block.length);
    for (let at = 0; at < block.length;) {
      const n = Math.min(block.length - at, 1 + (next() % 150_000));
      await writer.write(block.subarray(at, at + n));
      at += n;
    }
    await writer.endBlock();
  }
  return await writer.finish();
}

/** One "block" line of `xz --robot --list -vv`. */
export interface ListedBlock {
  stream: number;
  compressedOffset: number;
  uncompressedOffset: number;
  totalSize: number;
  uncompressedSize: number;
  check: string;
  headerSize: number;
  /** "cu" when the Block Header declares both sizes, "--" when neither. */
  sizeFlags: string;
  compressedSize: number;
}

/** One "stream" line of `xz --robot --list -vv`. */
export interface ListedStream {
  blockCount: number;
  compressedOffset: number;
  uncompressedOffset: number;
  compressedSize: number;
  uncompressedSize: number;
  check: string;
  paddingSize: number;
}

/** What xz-utils says about a file's Streams and Blocks. */
export async function xzList(
  path: string,
): Promise<{ streams: ListedStream[]; blocks: ListedBlock[] }> {
  const out = (await runTool(xzTool(), ['--robot', '--list', '-vv', path])).toString('utf8');
  const streams: ListedStream[] = [];
  const blocks: ListedBlock[] = [];
  for (const line of out.split('\n')) {
    const f = line.split('\t');
    const n = (i: number): number => Number(f[i]);
    if (f[0] === 'stream') {
      streams.push({
        blockCount: n(2),
        compressedOffset: n(3),
        uncompressedOffset: n(4),
        compressedSize: n(5),
        uncompressedSize: n(6),
        check: f[8] ?? '',
        paddingSize: n(9),
      });
    } else if (f[0] === 'block') {
      blocks.push({
        stream: n(1),
        compressedOffset: n(4),
        uncompressedOffset: n(5),
        totalSize: n(6),
        uncompressedSize: n(7),
        check: f[9] ?? '',
        headerSize: n(11),
        sizeFlags: f[12] ?? '',
        compressedSize: n(13),
      });
    }
  }
  return { streams, blocks };
}

/** The file decoded by `xz -dc` (with `-T2`: xz-utils' multithreaded decoder). */
export async function xzDecode(path: string, threads = 1): Promise<Buffer> {
  return await runTool(xzTool(), [`-T${threads}`, '-dc', path], { timeoutMs: 120_000 });
}

/** The file decoded by python3's lzma module. */
export async function pythonDecode(path: string): Promise<Buffer> {
  const script =
    'import lzma,sys; sys.stdout.buffer.write(lzma.decompress(open(sys.argv[1],"rb").read()))';
  return await runTool(python(), ['-c', script, path], { timeoutMs: 120_000 });
}

/** The file decoded by xz-decompress, handed the whole file as one web stream. */
export async function wasmDecode(path: string): Promise<Buffer> {
  const input = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return await collect(new XzReadableStream(input));
}

/**
 * Runs `check` twice: with `xz` on PATH decoding one-Block files
 * (src/xz/xz-tool-decoder.ts), then with the WebAssembly decoder only.
 */
export async function withBothDecoders(check: (decoder: string) => Promise<void>): Promise<void> {
  requireTool('xz', 'xz-utils');
  await check('xz');
  process.env.BMPACK_XZ_TOOL = '0';
  try {
    await check('WebAssembly');
  } finally {
    delete process.env.BMPACK_XZ_TOOL;
  }
}
