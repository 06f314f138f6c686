/**
 * Test images for integration tests: generate them deterministically
 * (image-generator.ts), write them as an OCI layout (layout.ts), and push them
 * into a real registry with skopeo (seed.ts), so the registry's content is
 * written by an independent client, never by bmpack itself.
 */
export {
  blobsOf,
  makeImage,
  makeIndex,
  makeLayer,
  MediaTypes,
  sha256Digest,
  type GeneratedImage,
  type GeneratedIndex,
  type GeneratedLayer,
  type ImageFormat,
  type ImageOptions,
  type Platform,
} from './image-generator.js';
export { writeLayout, type LayoutEntry } from './layout.js';
export { seedImage, skopeoRegistryArgs } from './seed.js';
