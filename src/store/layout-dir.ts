/**
 * An OCI image layout directory (image-spec image-layout.md): `oci-layout`,
 * `index.json`, and `blobs/<alg>/<hex>` — the blob folder has the same
 * shape as bmpack's content-addressed cache, so one store (BlobCache)
 * writes and reads both. What skopeo's `oci:` transport, crane and regctl
 * read and write, and what `ctr images import` takes (as a tar).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  asBundleError,
  checkOciLayout,
  imagesFromIndex,
  parseJsonDocument,
} from '../bundle-reader/index.js';
import { layoutIndexFile, ociLayoutFile } from '../bundle-format/index.js';
import { BlobCache } from '../cache/blob-cache.js';
import { readLocalFile } from '../fs/write-atomic.js';
import type { ListedImage } from './image-source.js';

export interface LayoutContents {
  readonly images: readonly ListedImage[];
  /** Digests of the blobs present (file names; their content is verified when read). */
  readonly blobs: ReadonlySet<string>;
}

export function layoutBlobs(dir: string): BlobCache {
  return new BlobCache(dir);
}

/** Reads `oci-layout` and `index.json` of an existing layout; unnamed images are kept as ''. */
export async function readLayout(dir: string): Promise<LayoutContents> {
  try {
    checkOciLayout(parseJsonDocument(await readLocalFile(join(dir, ociLayoutFile)), ociLayoutFile));
    const index = parseJsonDocument(
      await readLocalFile(join(dir, layoutIndexFile)),
      layoutIndexFile,
    );
    return { images: imagesFromIndex(index, 'keep'), blobs: await presentBlobs(dir) };
  } catch (err) {
    throw asBundleError(dir, err);
  }
}

async function presentBlobs(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const alg of ['sha256', 'sha512']) {
    let names: string[];
    try {
      names = await readdir(join(dir, 'blobs', alg));
    } catch {
      continue;
    }
    for (const hex of names) if (!hex.startsWith('.')) out.add(`${alg}:${hex}`);
  }
  return out;
}
