/**
 * Write a planned bundle: the tar stream cut into the planned xz blocks of
 * stored LZMA2 chunks (or a plain tar), hashed as it is written, under a
 * temporary name beside the output (hashed-file-sink.ts), synced and
 * renamed at the end; then the `<output>.sha256` sidecar in sha256sum
 * format. Interrupted or failed, it leaves nothing at the output path.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BlobCache } from '../cache/blob-cache.js';
import { Sha256Worker } from '../content/hash-worker.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import {
  commitTemp,
  discardTemp,
  ioError,
  removeStaleTemps,
  tempPathFor,
} from '../fs/atomic-file.js';
import { GiveBack } from '../fs/give-back.js';
import { HashedFileSink } from './hashed-file-sink.js';
import { XzWriter } from '../xz/index.js';
import type { BundlePlan } from './bundle-plan.js';
import { writeSidecar } from './checksum-sidecar.js';
import { tarBytes, writerBlobs, type WriterBlobs } from './tar-stream.js';

export interface WriteBundleOptions {
  readonly output: string;
  /** Plain tar instead of .tar.xz. */
  readonly plainTar?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
  /** Resolves when a blob is in the cache (it may still be downloading); undefined: it is. */
  readonly ready?: (digest: string) => Promise<unknown> | undefined;
}

export interface WrittenBundle {
  readonly output: string;
  readonly sha256: string;
  readonly size: number;
}

export async function writeBundle(
  plan: BundlePlan,
  store: BlobCache | WriterBlobs,
  opts: WriteBundleOptions,
): Promise<WrittenBundle> {
  const cache = writerBlobs(store);
  await removeStaleTemps(opts.output);
  const temp = tempPathFor(opts.output);
  const hash = new Sha256Worker();
  const giveBack = new GiveBack();
  let file: HashedFileSink;
  try {
    file = await HashedFileSink.create(temp, {
      hash,
      onReleased: (taken) => {
        giveBack.upTo(taken);
      },
    });
  } catch (err) {
    await hash.abandon();
    throw ioError(err, opts.output, 'write the bundle');
  }
  const flushed = finished(file);
  try {
    await (opts.plainTar === true
      ? writeTar(plan, cache, file, giveBack, opts)
      : writeXz(plan, cache, file, giveBack, opts));
    file.end();
    await flushed;
    await file.sync();
    await file.close();
  } catch (err) {
    file.destroy();
    await flushed.catch(() => undefined);
    await file.close().catch(() => undefined);
    await discardTemp(temp);
    await hash.abandon();
    throw ioError(err, opts.output, 'write the bundle');
  }
  const sha256 = await hash.finish();
  await commitTemp(temp, opts.output);
  await writeSidecar(opts.output, sha256);
  return { output: opts.output, sha256, size: file.size };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new BmpackError('E_INTERRUPTED', 'interrupted while writing the bundle', {
      hint: 'Nothing was left at the output path. Run the command again: downloaded blobs are cached.',
    });
  }
}

async function writeTar(
  plan: BundlePlan,
  cache: WriterBlobs,
  sink: Writable,
  giveBack: GiveBack,
  opts: WriteBundleOptions,
): Promise<void> {
  let sent = 0;
  for await (const chunk of tarBytes(plan, cache, opts.ready)) {
    checkAbort(opts.signal);
    const full = !sink.write(chunk);
    sent += chunk.length;
    giveBack.after(sent, chunk);
    if (full) await once(sink, 'drain');
    opts.onEvent?.({ type: 'bytes', phase: 'write', n: chunk.length });
  }
}

async function writeXz(
  plan: BundlePlan,
  cache: WriterBlobs,
  sink: Writable,
  giveBack: GiveBack,
  opts: WriteBundleOptions,
): Promise<void> {
  const xz = new XzWriter(sink, { name: opts.output });
  let block = 0;
  let remaining = 0;
  for await (const chunk of tarBytes(plan, cache, opts.ready)) {
    checkAbort(opts.signal);
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0) {
        if (block > 0) await xz.endBlock();
        remaining = plan.blocks[block++] ?? 0;
        if (remaining === 0) throw new Error('bundle plan: tar is longer than its blocks');
        await xz.beginBlock(remaining);
      }
      const n = Math.min(remaining, chunk.length - at);
      await xz.write(chunk.subarray(at, at + n));
      at += n;
      remaining -= n;
    }
    // The xz writer copies a partial chunk; it sends the rest as views of `chunk`.
    giveBack.after(xz.bytesWritten, chunk);
    opts.onEvent?.({ type: 'bytes', phase: 'write', n: chunk.length });
  }
  if (block > 0) await xz.endBlock();
  await xz.finish();
}
