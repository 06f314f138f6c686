/**
 * The bundle format, as data: what a bmpack bundle's bytes are, with no I/O
 * (no file system, no network; Buffers and plain values in and out). The
 * writer (src/bundle-writer), the reader (src/bundle-reader, src/verify) and
 * the test rig (test/rig/tar-writer.ts) all take the format from here, so
 * that there is one description of it. docs/bundle-format.md describes it for people.
 *
 * - bmpack.json: its schema (bundle-metadata.ts) and the guard that reads it
 *   back from untrusted JSON (bundle-metadata-guard.ts).
 * - The OCI image layout (image-spec image-layout.md): the names of the
 *   root documents and of blobs (layout-names.ts), and the exact bytes of
 *   oci-layout and index.json (layout-json.ts).
 * - The one tar codec (POSIX ustar and pax, IEEE Std 1003.1 pax "ustar
 *   Interchange Format" and "pax Extended Header"): the block arithmetic
 *   a bundle's offsets are planned with (tar-blocks.ts), header encoding
 *   on node-tar's Header with every value fixed (tar-header-encode.ts),
 *   strict header decoding for archives from outside (tar-header-decode.ts,
 *   tar-fields.ts, tar-checksum.ts), pax records (pax-records.ts) and entry
 *   paths (tar-path.ts: no absolute or climbing paths).
 *
 * node-tar encodes, bmpack decodes. Headers are written by node-tar's
 * Header (from `tar/header`, which leaves node-tar's file-system code out of
 * the single-file build), so their bytes are node-tar's: octal fields as
 * "000644 \0", the checksum as "0ddddd \0", devmajor/devminor as zeros.
 * Bundles written before that hold bmpack's earlier bytes ("0000644\0", the
 * checksum "0ddddd\0 "); the decoder reads both, and nothing compares header
 * bytes to expected ones (the fast path decodes too). Decoding stays our
 * own because node-tar's decoder is lenient where this one must be strict
 * for hostile input: it reads numeric fields with parseInt (so "12x" is
 * 10), takes a negative size as none, skips pax records it cannot parse,
 * and costs about twice as much per header. node-tar's reader stays the
 * independent check of what we write (test/bundle-format/).
 *
 * Everything here throws ArchiveFormatError (format-error.ts) on bad input;
 * callers that know the file turn it into a BmpackError E_BUNDLE_INVALID.
 */
export { UnsupportedBundleFormat, parseBundleMetadata } from './bundle-metadata-guard.js';
export {
  bundleFormat,
  type BundleBlobRecord,
  type BundleImageRecord,
  type BundleMetadata,
} from './bundle-metadata.js';
export { ArchiveFormatError } from './format-error.js';
export { layoutIndex, layoutJson, ociLayout } from './layout-json.js';
export {
  blobPath,
  bundleMetadataFile,
  digestOfBlobPath,
  layoutIndexFile,
  looksLikeBlobPath,
  ociLayoutFile,
} from './layout-names.js';
export { encodePaxRecords, parsePaxRecords, paxSize } from './pax-records.js';
export {
  isTarHeaderBlock,
  isZeroBlock,
  tarBlockSize,
  tarEntrySpan,
  tarPadding,
  tarTrailerSize,
} from './tar-blocks.js';
export {
  isHeaderOnly,
  parseTarHeader,
  type TarEntryKind,
  type TarHeader,
} from './tar-header-decode.js';
export {
  encodeTarHeader,
  sealTarHeader,
  type TarEntryType,
  type TarHeaderSpec,
  type TarWriteType,
} from './tar-header-encode.js';
export { normalizeTarPath, resolveLinkTarget } from './tar-path.js';
