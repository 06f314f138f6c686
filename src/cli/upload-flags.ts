/**
 * --chunk-size SIZE (push images, image copy): how blobs go up to the
 * registry. SIZE is bytes, or a number with K, M or G (KiB, MiB, GiB;
 * KB, MB, GB are read as the same powers of 1024); 0 sends every blob as
 * one streamed PUT.
 */
import { Flags } from '@oclif/core';
import { BmpackError } from '../errors.js';
import type { UploadSettings } from '../registry/blob-upload.js';

export const uploadFlags = {
  'chunk-size': Flags.string({
    description:
      'Upload blobs larger than SIZE in chunks of SIZE (e.g. 16MiB, 64M); 0 sends each blob as one PUT. Default 64MiB. A registry that refuses chunks gets single PUTs anyway.',
    helpValue: 'SIZE',
    helpGroup: 'REGISTRY',
  }),
};

export interface UploadFlagValues {
  readonly 'chunk-size'?: string | undefined;
}

const units: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** The library's upload settings from the flags; E_USAGE for a SIZE that is not one. */
export function uploadFlagSettings(flags: UploadFlagValues): UploadSettings {
  const value = flags['chunk-size'];
  return value === undefined ? {} : { chunkSize: parseSize(value) };
}

export function parseSize(value: string, flag = '--chunk-size'): number {
  const m = /^\s*(\d+)\s*(?:([KMG])(?:I?B)?|(B))?\s*$/i.exec(value);
  const unit = units[(m?.[2] ?? m?.[3] ?? '').toUpperCase()];
  const bytes = m?.[1] !== undefined && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new BmpackError('E_USAGE', `${flag} ${value} is not a size`, {
      hint: `Give bytes, or a number with K, M or G (powers of 1024): 64MiB, 16M, 1048576${flag === '--chunk-size' ? '; 0 for single PUTs' : ''}.`,
    });
  }
  return bytes;
}
