/**
 * JSON documents of an archive (oci-layout, index.json, bmpack.json,
 * docker's manifest.json, manifests and configs): capped in size, so that a
 * damaged or hostile archive cannot make us hold gigabytes. Pure.
 */
import {
  ArchiveFormatError,
  bundleMetadataFile,
  layoutIndexFile,
  ociLayoutFile,
} from '../bundle-format/index.js';

/** Largest JSON document read whole (manifests and configs are kilobytes). */
export const maxDocumentSize = 8 * 1024 * 1024;

/** Layout files kept in memory by name, whatever their first byte. */
export const wellKnownFiles: ReadonlySet<string> = new Set([
  ociLayoutFile,
  layoutIndexFile,
  bundleMetadataFile,
  'manifest.json', // docker save's
]);

/** `{` or `[`: the first byte of every JSON document an archive holds. */
export function startsLikeJson(firstByte: number | undefined): boolean {
  return firstByte === 0x7b || firstByte === 0x5b;
}

/** Parses `bytes` (named `what` in errors) as JSON. */
export function parseJsonDocument(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > maxDocumentSize) {
    throw new ArchiveFormatError(
      `${what} is ${bytes.length} bytes, more than the ${maxDocumentSize} a JSON document may have`,
    );
  }
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch (err) {
    throw new ArchiveFormatError(`${what} is not valid JSON`, { cause: err });
  }
}
