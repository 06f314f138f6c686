/**
 * The image graph: one walker over any {@link ImageSource}, the graph it
 * returns, and the platform filter it applies.
 */
export type {
  GraphBlob,
  GraphDocument,
  GraphFault,
  GraphItem,
  GraphItemKind,
  ImageGraph,
} from './image-graph.js';
export { walkFrom, walkImage, type WalkOptions } from './walk-image.js';
export { platformOf } from './platform-filter.js';
export { reachableBytes } from './reachable-bytes.js';
