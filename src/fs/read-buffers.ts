/**
 * Recycled read buffers. A megabyte Buffer fresh from the allocator costs
 * more than the read that fills it: the kernel maps and zeroes its pages on
 * first touch, and the garbage collector unmaps them again later. Serving
 * blobs from a bundle with fresh buffers spent 0.27 s of CPU per GB on
 * that alone, more than distribution's whole sendfile path per GB
 * (bench/serve-throughput.bench.ts).
 *
 * So a reader that hands out pieces of a megabyte or less takes the
 * memory from here, and a consumer that knows when it is done with a
 * piece (serve, once the socket has taken it) gives it back. The contract
 * for readers: at most one piece is handed out per buffer taken, so that
 * giving a piece back cannot free memory another piece still shows. A
 * piece never given back is collected as usual: recycling saves work, it
 * is never needed for correctness, and giving back a piece that did not
 * come from here does nothing.
 */

/** The size of every recycled buffer; larger requests get a buffer of their own. */
export const readBufferSize = 1024 * 1024;

/** Buffers kept for reuse at most: 64 MiB, what eight busy sockets need several times over. */
const keep = 64;

const free: Buffer[] = [];
/** Buffers handed out and not given back yet: a second give-back of the same memory is ignored. */
const out = new WeakSet<ArrayBufferLike>();

/**
 * `size` bytes, contents undefined: a recycled buffer's start for sizes from
 * a quarter of readBufferSize up to it; memory of its own size otherwise. A
 * small read (a manifest, a small layer, a blob's end) in a recycled
 * megabyte would hold far more memory than it shows, for as long as it is
 * kept, and cost a fresh megabyte whenever the pool is empty.
 */
export function takeReadBuffer(size: number): Buffer {
  if (size > readBufferSize || size < readBufferSize / 4) return Buffer.allocUnsafeSlow(size);
  // allocUnsafeSlow: a whole ArrayBuffer of its own, never a slice of Node's shared pool.
  const whole = free.pop() ?? Buffer.allocUnsafeSlow(readBufferSize);
  out.add(whole.buffer);
  return whole.subarray(0, size);
}

/** The consumer is done with `piece`, and nothing else shows its memory: it may be reused. */
export function recycleReadBuffer(piece: Uint8Array): void {
  const memory = piece.buffer;
  if (!out.delete(memory)) return;
  if (free.length < keep) free.push(Buffer.from(memory, 0, readBufferSize));
}

/**
 * `piece`'s memory was transferred (to a thread and back: piece-hasher.ts)
 * and now shows through `moved`: it is given back through that from now on.
 */
export function movedReadBuffer(piece: Uint8Array, moved: Uint8Array): void {
  if (out.delete(piece.buffer)) out.add(moved.buffer);
}
