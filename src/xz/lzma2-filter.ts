/**
 * The LZMA2 filter as a Block names it (xz-file-format 1.0.4 §5.3.1): Filter
 * ID 0x21 with one property byte, the dictionary size as a one-bit mantissa
 * and five-bit exponent.
 */
import { XzFormatError } from './format-error.js';

/** Filter ID of LZMA2. */
export const LZMA2_FILTER_ID = 0x21;

/** Largest valid dictionary property: 40 means 4 GiB - 1. */
export const LZMA2_DICT_PROPERTY_MAX = 40;

/**
 * The dictionary property our stored blocks declare: 0, i.e. 4 KiB, the
 * smallest size §5.3.1 can express. Uncompressed chunks never refer back into
 * the dictionary, and every decoder we checked copies them through its
 * dictionary in pieces bounded by the dictionary's free space (liblzma
 * dict_write, xz-embedded dict_uncompressed, LZMA SDK Lzma2Dec), so a 64 KiB
 * chunk needs no 64 KiB dictionary. liblzma rounds dictionaries below 4 KiB
 * up to 4 KiB anyway, and xz-embedded allocates exactly what is declared:
 * the smallest value keeps decoders' memory (and `xz -lvv`'s "memory needed")
 * minimal.
 */
export const STORED_DICT_PROPERTY = 0;

/** Dictionary size in bytes for a property byte (§5.3.1, the decoder's formula). */
export function lzma2DictionarySize(property: number): number {
  if ((property & 0xc0) !== 0) throw new XzFormatError('LZMA2 properties have reserved bits set');
  if (property > LZMA2_DICT_PROPERTY_MAX) throw new XzFormatError('LZMA2 dictionary above 4 GiB');
  if (property === LZMA2_DICT_PROPERTY_MAX) return 0xffffffff;
  return (2 | (property & 1)) * 2 ** (Math.floor(property / 2) + 11);
}
