/**
 * Decoding a whole one-Block .xz file with xz-utils' `xz`, when the machine
 * has it on PATH. A foreign single-block .tar.xz can only be read from its
 * start, once to scan it and once to push from it; `xz -d` decodes it about
 * six times as fast as xz-decompress's WebAssembly, in a process of its own
 * (on another core), and verifies the Block's Check, the Index and the
 * Stream Footer itself. Without `xz`, or with BMPACK_XZ_TOOL=0, the
 * WebAssembly decoder does the work, with the same results.
 *
 * The child reads the file through a descriptor of the handle the caller
 * opened (the same file the Index was read from), and its output is cut
 * at the size the Index gives: a Block that decodes to more fails at the
 * first byte past it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { BundleFile } from '../fs/bundle-file.js';
import { delimiter, join } from 'node:path';
import { BmpackError } from '../errors.js';
import { openXzFile } from './file-window.js';
import { XzFormatError } from './format-error.js';
import { xzInvalid } from './xz-errors.js';

/** The last lookup, for the PATH it was made with. */
let found: { readonly path: string; readonly tool: string | null } | undefined;

/** The `xz` executable on PATH, unless BMPACK_XZ_TOOL=0; null when there is none. */
export function xzTool(): string | null {
  if (process.env.BMPACK_XZ_TOOL === '0') return null;
  const path = process.env.PATH ?? '';
  if (found?.path !== path) found = { path, tool: lookUp(path) };
  return found.tool;
}

function lookUp(path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, 'xz');
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** Most stderr kept for the message. */
const stderrLimit = 4096;

/**
 * The uncompressed bytes of the file behind `fh` (all its Streams), as
 * `xz` produces them; `expected` is its uncompressed size per the Index.
 * Stopping early kills the child.
 *
 * @throws XzFormatError with xz's own message when it finds the file
 *   damaged, or when the file decodes to more than `expected` bytes;
 *   BmpackError E_IO when `xz` cannot be run.
 */
export async function* decodeWithXzTool(
  tool: string,
  fh: BundleFile,
  expected: number,
): AsyncGenerator<Uint8Array> {
  // node:child_process is loaded when first needed, not at every start (~2 ms).
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(tool, ['--decompress', '--stdout', '--quiet', '--no-warn', '--threads=1'], {
    // A single file is read by xz itself; parts are fed through a pipe.
    stdio: [fh.fd ?? 'pipe', 'pipe', 'pipe'],
  });
  if (fh.fd === undefined && child.stdin !== null) feed(fh, child.stdin);
  const { stdout, stderr: errors } = child;
  // Both are pipes, as asked above.
  if (stdout === null || errors === null) throw new TypeError('xz child without pipes');
  let stderr = '';
  errors.setEncoding('utf8');
  errors.on('data', (s: string) => {
    if (stderr.length < stderrLimit) stderr += s;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve(code);
    });
  });
  exited.catch(() => undefined);
  let done = false;
  try {
    let produced = 0;
    for await (const piece of stdout as AsyncIterable<Buffer>) {
      produced += piece.length;
      if (produced > expected) {
        throw new XzFormatError(`it decodes to more than the ${expected} bytes the index says`);
      }
      yield piece;
    }
    const code = await exited.catch((err: unknown) => {
      throw new BmpackError('E_IO', `cannot run ${tool}: ${String(err)}`, {
        hint: 'Set BMPACK_XZ_TOOL=0 to decode without xz.',
        cause: err,
      });
    });
    done = true;
    if (code !== 0) {
      const said = stderr.trim().replace(/^xz: \(stdin\): /, '');
      throw new XzFormatError(`xz could not decode it: ${said || `exit status ${String(code)}`}`);
    }
  } finally {
    if (!done) child.kill('SIGKILL');
  }
}

/** Every byte of `fh` into `sink`, a megabyte at a time, waiting when the pipe is full. */
function feed(fh: BundleFile, sink: NodeJS.WritableStream): void {
  // EPIPE when xz stops early: its exit status is what reports the failure.
  sink.on('error', () => undefined);
  void (async () => {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0; ;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      // A fresh copy: the pipe may hold the piece after write() returns.
      if (!sink.write(Buffer.from(buf.subarray(0, bytesRead))))
        await new Promise((resolve) => sink.once('drain', resolve));
    }
    sink.end();
  })().catch(() => {
    // xz stopped reading (the decoder was stopped, or it failed): its exit says why.
    sink.end();
  });
}

/**
 * The whole uncompressed content of the .xz file at `path` (every Stream
 * and Block), decoded by `xz` in one run: for reading a foreign multi-block
 * file from front to back (a scan), where decoding each Block on its own
 * would cost a process or a WebAssembly pass per Block.
 *
 * @throws BmpackError E_XZ_INVALID when xz finds the file damaged or it
 *   decodes to another size than its Index says; E_IO when it cannot be opened.
 */
export async function* decodeFileWithXzTool(
  tool: string,
  path: string,
  expected: number,
): AsyncGenerator<Uint8Array> {
  const fh = await openXzFile(path);
  try {
    let produced = 0;
    for await (const piece of decodeWithXzTool(tool, fh, expected)) {
      produced += piece.length;
      yield piece;
    }
    if (produced !== expected)
      throw new XzFormatError(`the file holds ${produced} bytes, its index says ${expected}`);
  } catch (err) {
    throw err instanceof XzFormatError ? xzInvalid(path, err) : err;
  } finally {
    await fh.close();
  }
}
