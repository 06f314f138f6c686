/**
 * Types of Check (xz-file-format 1.0.4 §2.1.1.2 and §3.4): the integrity
 * check over each Block's uncompressed data. The 4-bit ID fixes the size of
 * the Check field even for the reserved IDs, so a reader can step over
 * Blocks whose check it cannot compute.
 */

/** The Check IDs that have a defined algorithm. */
export const CheckType = {
  None: 0x00,
  Crc32: 0x01,
  Crc64: 0x04,
  Sha256: 0x0a,
} as const;

/** Highest Check ID: the field is four bits wide. */
export const CHECK_TYPE_MAX = 0x0f;

/**
 * Size in bytes of the Check field for any ID 0-15: 0, then 4, 8, 16, 32, 64
 * bytes for each group of three IDs (the table in §2.1.1.2).
 */
export function checkSize(checkType: number): number {
  if (!Number.isInteger(checkType) || checkType < 0 || checkType > CHECK_TYPE_MAX) {
    throw new RangeError(`xz check type ${checkType} is outside 0-15`);
  }
  return checkType === 0 ? 0 : 4 << Math.floor((checkType - 1) / 3);
}

/** A human name for a Check ID, as `xz --list` spells it. */
export function checkName(checkType: number): string {
  switch (checkType) {
    case CheckType.None:
      return 'None';
    case CheckType.Crc32:
      return 'CRC32';
    case CheckType.Crc64:
      return 'CRC64';
    case CheckType.Sha256:
      return 'SHA-256';
    default:
      return `Unknown-${checkType}`;
  }
}
