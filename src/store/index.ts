/**
 * Image stores: one interface to read images (a registry, a bundle, an OCI
 * layout directory) and one to write them (a registry, a layout directory).
 */
export {
  anyRepository,
  type ByteRange,
  type ImageSource,
  type ListedImage,
  type StoreRepository,
} from './image-source.js';
export type { ImageSink, PutBlobOptions, PutBlobResult } from './image-sink.js';
export { BundleImageSource } from './bundle-image-source.js';
export { RegistrySource } from './registry-source.js';
export { RegistrySink } from './registry-sink.js';
export { LayoutDirSource } from './layout-dir-source.js';
export { LayoutDirSink } from './layout-dir-sink.js';
export { layoutBlobs } from './layout-dir.js';
export { putIntoStore } from './cache-put.js';
