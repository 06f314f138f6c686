/**
 * Reading bundles to push from, in place: bmpack bundles, tars (plain or
 * xz) of OCI image layouts, and docker save archives.
 */
export type { BundleKind, BundleSource, SourceImage } from './bundle-source.js';
export { openBundleSource } from './open-bundle-source.js';
export { TarBundleSource, type BlobLocation } from './tar-bundle-source.js';
export {
  checkOciLayout,
  containerdNameAnnotation,
  imagesFromIndex,
  refNameAnnotation,
} from './layout-images.js';
export { maxDocumentSize, parseJsonDocument } from './json-document.js';
export { asBundleError, bundleInvalid, internalError } from './archive-errors.js';
