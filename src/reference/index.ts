/**
 * Image references: parse, normalise and format them exactly as docker and
 * containerd do (distribution/reference; protocols.md §2.5). Pure: no I/O.
 */
export type { ImageReference } from './image-reference.js';
export { defaultTag, parseReference } from './parse-reference.js';
export {
  formatReference,
  manifestReference,
  repositoryName,
  withDigest,
  withTag,
} from './format-reference.js';
export { dockerHubApiHost, dockerHubRegistry, isDockerHub, registryApiHost } from './docker-hub.js';
export { formatDigest, parseDigest } from './digest.js';
export type { DigestAlgorithm, ParsedDigest } from './digest.js';
export { fallbackRepository, listedReference } from './listed-name.js';
export { formatImageLocation, parseImageLocation, type ImageLocation } from './image-location.js';
