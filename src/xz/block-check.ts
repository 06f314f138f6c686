/**
 * Computing a Block's Check (xz-file-format 1.0.4 §3.4) over its
 * uncompressed data, incrementally, for each Check type with an algorithm:
 * None, CRC32 (node's zlib.crc32), CRC64 (crc64.ts) and SHA-256
 * (node:crypto). The result is the bytes the Check field must hold.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CheckType, checkName } from './check-type.js';
import { Crc64 } from './crc64.js';
import { XzFormatError } from './format-error.js';

/** An incremental Check computation. */
export interface BlockCheck {
  update(data: Uint8Array): void;
  /** The expected content of the Check field. */
  digest(): Uint8Array;
}

/** A fresh computation for `checkType`; unsupported (reserved) IDs are an error. */
export function createBlockCheck(checkType: number): BlockCheck {
  switch (checkType) {
    case CheckType.None:
      return { update: () => undefined, digest: () => new Uint8Array(0) };
    case CheckType.Crc32: {
      let crc = 0;
      return {
        update: (data) => {
          crc = crc32(data, crc);
        },
        digest: () => {
          const out = new Uint8Array(4);
          new DataView(out.buffer).setUint32(0, crc, true);
          return out;
        },
      };
    }
    case CheckType.Crc64: {
      const crc = new Crc64();
      return { update: (data) => void crc.update(data), digest: () => crc.digest() };
    }
    case CheckType.Sha256: {
      const hash = createHash('sha256');
      return { update: (data) => void hash.update(data), digest: () => hash.digest() };
    }
    default:
      throw new XzFormatError(
        `unsupported check type ${checkName(checkType)}: cannot verify the data`,
      );
  }
}
