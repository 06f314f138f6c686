/**
 * The documents that make a tar an OCI image layout (oci-layout,
 * index.json) and, for our own bundles, bmpack.json: read from the scan's
 * table, parsed and checked against each other.
 */
import {
  ArchiveFormatError,
  bundleFormat,
  type BundleMetadata,
  bundleMetadataFile,
  layoutIndexFile,
  ociLayoutFile,
  parseBundleMetadata,
  UnsupportedBundleFormat,
} from '../bundle-format/index.js';
import { bundleInvalid } from './archive-errors.js';
import type { SourceImage } from './bundle-source.js';
import type { EntryTable } from './entry-table.js';
import { maxDocumentSize, parseJsonDocument } from './json-document.js';
import { checkOciLayout, imagesFromIndex } from './layout-images.js';

export interface LayoutDocuments {
  readonly images: readonly SourceImage[];
  readonly metadata?: BundleMetadata;
}

/** The parsed JSON of the document at `name`, which the archive must hold. */
export function requiredDocument(table: EntryTable, name: string, file: string): unknown {
  const entry = table.get(name);
  if (entry === undefined) {
    throw bundleInvalid(file, `the archive has no ${name}`, { entry: name });
  }
  if (entry.document === undefined) {
    throw bundleInvalid(
      file,
      entry.kind !== 'file'
        ? `${name} is a ${entry.kind}, not a file`
        : `${name} is ${entry.size} bytes, more than the ${maxDocumentSize} a JSON document may have`,
      { entry: entry.rawPath },
    );
  }
  try {
    return parseJsonDocument(entry.document, name);
  } catch (err) {
    throw bundleInvalid(file, err instanceof Error ? err : String(err), { entry: entry.rawPath });
  }
}

/** bmpack.json, parsed and checked, when the archive has one. */
export function bundleMetadataOf(table: EntryTable, file: string): BundleMetadata | undefined {
  if (table.get(bundleMetadataFile) === undefined) return undefined;
  const value = requiredDocument(table, bundleMetadataFile, file);
  try {
    return parseBundleMetadata(value);
  } catch (err) {
    if (!(err instanceof ArchiveFormatError)) throw err;
    throw bundleInvalid(file, err, {
      entry: bundleMetadataFile,
      ...(err instanceof UnsupportedBundleFormat
        ? {
            hint: `${file} was written by another version of bmpack (this one reads ${bundleFormat}): use a bmpack that reads its format.`,
          }
        : {}),
    });
  }
}

/** The images of the layout, and bmpack.json when present (which must agree with index.json). */
export function layoutDocuments(table: EntryTable, file: string): LayoutDocuments {
  const layout = requiredDocument(table, ociLayoutFile, file);
  const index = requiredDocument(table, layoutIndexFile, file);
  const metadata = bundleMetadataOf(table, file);
  try {
    checkOciLayout(layout);
    const images = imagesFromIndex(index);
    if (metadata !== undefined) crossCheck(metadata, images);
    return metadata !== undefined ? { images, metadata } : { images };
  } catch (err) {
    if (!(err instanceof ArchiveFormatError)) throw err;
    throw bundleInvalid(file, err, {
      entry: err.message.startsWith(ociLayoutFile) ? ociLayoutFile : layoutIndexFile,
    });
  }
}

/** bmpack writes index.json from bmpack.json's images: the two list the same, in order. */
function crossCheck(metadata: BundleMetadata, images: readonly SourceImage[]): void {
  const same =
    images.length === metadata.images.length &&
    metadata.images.every((m, i) => {
      const image = images[i];
      return image?.descriptor.digest === m.digest && image.name === m.ref;
    });
  if (!same) throw new ArchiveFormatError('bmpack.json and index.json list different images');
}
