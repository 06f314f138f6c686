/**
 * Image sets: the images of a release, read from manifest files (bmpack
 * ImageSet YAML, plain lists, skopeo-sync / mindthegap YAML) and merged.
 */
export type { ImageSet, ImageSetEntry, ReferrerChoice, SourcePosition } from './image-set.js';
export type { ImageSetFormat } from './image-set.js';
export { parseImageSet, parseImageSetFile, unversioned } from './parse-image-set.js';
export type { ImageSetFile } from './image-set.js';
export { mergeImageSetFiles } from './merge-image-sets.js';
export { loadImageSets } from './load-image-sets.js';
export { imageSetApiVersion, imageSetKind } from './parse-bmpack-image-set.js';
