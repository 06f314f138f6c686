/** A bundle served as a read-only registry (bmpack serve). */
export {
  serveBundles,
  type AccessLine,
  type RunningServe,
  type ServeOptions,
} from './serve-bundle.js';
export { buildCatalogue, page, type Catalogue } from './catalogue.js';
export { parseRange } from './registry-handler.js';
