/**
 * CRC64 as .xz uses it (xz-file-format 1.0.4 §6): ECMA-182 polynomial,
 * reflected (0xC96C5795D7870F42), initial value and final XOR all ones;
 * stored little-endian. It is the default check of `xz`, so reading foreign
 * files means computing it over all their data. JavaScript has no fast
 * 64-bit integers (BigInt is far too slow here), so the CRC lives in two
 * 32-bit halves, and eight bytes are folded per step (slicing-by-8).
 */

const POLY_LO = 0xd7870f42;
const POLY_HI = 0xc96c5795;

// TABLE_LO/HI[k * 256 + b]: the CRC of byte b followed by k zero bytes.
const TABLE_LO = new Uint32Array(8 * 256);
const TABLE_HI = new Uint32Array(8 * 256);

for (let b = 0; b < 256; b++) {
  let lo = b;
  let hi = 0;
  for (let bit = 0; bit < 8; bit++) {
    const mask = -(lo & 1);
    lo = ((lo >>> 1) | (hi << 31)) ^ (POLY_LO & mask);
    hi = (hi >>> 1) ^ (POLY_HI & mask);
  }
  TABLE_LO[b] = lo >>> 0;
  TABLE_HI[b] = hi >>> 0;
}
for (let k = 1; k < 8; k++) {
  for (let b = 0; b < 256; b++) {
    const prevLo = TABLE_LO[(k - 1) * 256 + b] ?? 0;
    const prevHi = TABLE_HI[(k - 1) * 256 + b] ?? 0;
    const i = prevLo & 0xff;
    TABLE_LO[k * 256 + b] = (((prevLo >>> 8) | (prevHi << 24)) ^ (TABLE_LO[i] ?? 0)) >>> 0;
    TABLE_HI[k * 256 + b] = ((prevHi >>> 8) ^ (TABLE_HI[i] ?? 0)) >>> 0;
  }
}

/** An incremental CRC64. */
export class Crc64 {
  // The register, inverted (initial value all ones).
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): this {
    const T_LO = TABLE_LO;
    const T_HI = TABLE_HI;
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const n = data.length;
    const fast = n - (n % 8);
    // The typed-array reads below are in range by construction; `!` would be
    // banned by lint and `?? 0` costs nothing measurable here.
    for (; i < fast; i += 8) {
      const a =
        (lo ^
          ((data[i] ?? 0) |
            ((data[i + 1] ?? 0) << 8) |
            ((data[i + 2] ?? 0) << 16) |
            ((data[i + 3] ?? 0) << 24))) >>>
        0;
      const c =
        (hi ^
          ((data[i + 4] ?? 0) |
            ((data[i + 5] ?? 0) << 8) |
            ((data[i + 6] ?? 0) << 16) |
            ((data[i + 7] ?? 0) << 24))) >>>
        0;
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (c & 0xff);
      const i2 = 2 * 256 + ((c >>> 8) & 0xff);
      const i1 = 256 + ((c >>> 16) & 0xff);
      const i0 = c >>> 24;
      lo =
        (T_LO[i7] ?? 0) ^
        (T_LO[i6] ?? 0) ^
        (T_LO[i5] ?? 0) ^
        (T_LO[i4] ?? 0) ^
        (T_LO[i3] ?? 0) ^
        (T_LO[i2] ?? 0) ^
        (T_LO[i1] ?? 0) ^
        (T_LO[i0] ?? 0);
      hi =
        (T_HI[i7] ?? 0) ^
        (T_HI[i6] ?? 0) ^
        (T_HI[i5] ?? 0) ^
        (T_HI[i4] ?? 0) ^
        (T_HI[i3] ?? 0) ^
        (T_HI[i2] ?? 0) ^
        (T_HI[i1] ?? 0) ^
        (T_HI[i0] ?? 0);
    }
    for (; i < n; i++) {
      const t = (lo ^ (data[i] ?? 0)) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ (T_LO[t] ?? 0);
      hi = (hi >>> 8) ^ (T_HI[t] ?? 0);
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The CRC64 so far, as the eight little-endian bytes a Check field holds. */
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.lo >>> 0, true);
    view.setUint32(4, ~this.hi >>> 0, true);
    return out;
  }
}
