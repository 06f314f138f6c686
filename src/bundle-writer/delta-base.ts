/**
 * The previous bundle a delta is made against (`bundle create --since`):
 * which blobs it holds, from its metadata alone (openBundleSource reads only
 * the front of a bmpack bundle), and its identity — name, version and the
 * sha256 of the file, taken from its `.sha256` sidecar when that is well
 * formed and names it, else hashed. No workspace is kept between releases:
 * the previous bundle is all a delta needs.
 */
import { openBundleSource } from '../bundle-reader/index.js';
import { fileSha256 } from '../content/file-sha256.js';
import { BmpackError } from '../errors.js';
import type { BundleMetadata } from '../bundle-format/index.js';
import { readSidecar } from './checksum-sidecar.js';

export type BaseRecord = NonNullable<BundleMetadata['base']>;

export interface DeltaBase {
  readonly path: string;
  readonly record: BaseRecord;
  /** Every blob the previous bundle holds. */
  readonly blobs: ReadonlySet<string>;
}

export async function readDeltaBase(
  path: string,
  warn: (message: string) => void = () => undefined,
): Promise<DeltaBase> {
  const source = await openBundleSource(path);
  let metadata: BundleMetadata | undefined;
  let blobs: Set<string>;
  try {
    metadata = source.metadata;
    blobs = new Set(source.blobOrder);
  } finally {
    await source.close();
  }
  if (metadata === undefined) {
    throw new BmpackError(
      'E_USAGE',
      `the delta base ${path} is not a bmpack bundle (it is ${source.kind === 'docker-archive' ? 'a docker save archive' : 'an OCI image layout without bmpack.json'})`,
      {
        hint: 'A delta records the name and version of its base from the base’s bmpack.json: make the delta against the bmpack bundle of the previous release.',
        reason: 'delta-base-not-bmpack',
        details: { file: path },
      },
    );
  }
  const sha256 = await baseSha256(path, warn);
  return { path, record: { name: metadata.name, version: metadata.version, sha256 }, blobs };
}

async function baseSha256(path: string, warn: (message: string) => void): Promise<string> {
  const sidecar = await readSidecar(path);
  if (sidecar?.consistent === true && sidecar.sha256 !== undefined) return sidecar.sha256;
  if (sidecar !== undefined) {
    warn(`${sidecar.path} is not "<sha256>  <file name>" for ${path}: hashing the file instead`);
  }
  return fileSha256(path);
}
