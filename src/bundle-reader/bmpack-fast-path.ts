/**
 * Recognising a bmpack bundle from its first entries, so that opening it
 * reads nothing else (docs/bundle-format.md §1): `oci-layout`,
 * `bmpack.json`, `index.json`, `blobs/`, `blobs/sha256/`, each a single
 * ustar header, in that order. Then every blob's place follows from
 * bmpack.json. Anything else (a bundle re-packed by another tool, say) is
 * scanned like any other archive.
 */
import {
  type BundleMetadata,
  bundleMetadataFile,
  layoutIndexFile,
  ociLayoutFile,
  tarBlockSize,
} from '../bundle-format/index.js';
import { bundleInvalid } from './archive-errors.js';
import { placeBlobs, type BlobLayout } from './bmpack-blob-offsets.js';
import type { EntryTable } from './entry-table.js';
import { bundleMetadataOf } from './layout-documents.js';
import type { TarScanner } from './tar-scanner.js';

const head = [
  [ociLayoutFile, 'file'],
  [bundleMetadataFile, 'file'],
  [layoutIndexFile, 'file'],
  ['blobs/', 'directory'],
  ['blobs/sha256/', 'directory'],
] as const;

export interface FastLayout {
  readonly metadata: BundleMetadata;
  readonly layout: BlobLayout;
}

/**
 * Reads the first entries into `table`; the bundle's layout when they are
 * bmpack's head, else undefined (the scan goes on from there).
 */
export async function probeBmpackHead(
  scanner: TarScanner,
  table: EntryTable,
  file: string,
): Promise<FastLayout | undefined> {
  let firstBlob = 0;
  for (const [name, kind] of head) {
    const e = await scanner.next();
    if (e === undefined) return undefined;
    table.add(e);
    if (e.rawPath !== name || e.kind !== kind || e.dataOffset !== e.headerOffset + tarBlockSize) {
      return undefined;
    }
    firstBlob = e.dataOffset + e.size;
  }
  const metadata = bundleMetadataOf(table, file);
  if (metadata === undefined) return undefined;
  const layout = placeBlobs(metadata.blobs, firstBlob);
  return layout === undefined ? undefined : { metadata, layout };
}

/** The blobs bmpack.json lists must fit in the tar, end-of-archive marker included. */
export function checkLayoutFits(fast: FastLayout, tarSize: number, file: string): void {
  const needed = fast.layout.end + 2 * tarBlockSize;
  if (needed > tarSize) {
    throw bundleInvalid(
      file,
      `bmpack.json lists blobs up to byte ${needed} of the tar, but the tar holds ${tarSize} bytes (truncated?)`,
      { entry: 'bmpack.json' },
    );
  }
}
