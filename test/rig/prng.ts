/**
 * mulberry32: a tiny seeded PRNG. Test data must come out identical on every
 * run so that digests in assertions and failures are reproducible; Math.random
 * cannot be seeded.
 */

/** A generator of 32-bit unsigned integers from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `length` pseudo-random bytes from `next`. */
export function randomBuffer(next: () => number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let i = 0;
  for (; i + 4 <= length; i += 4) out.writeUInt32LE(next(), i);
  if (i < length) {
    const last = next();
    for (let k = 0; i < length; i++, k++) out[i] = (last >>> (8 * k)) & 0xff;
  }
  return out;
}
