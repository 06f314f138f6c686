/** bmpack serve: bundles as a read-only registry, or a small registry over an OCI layout directory. */
export {
  serveBundles,
  type AccessLine,
  type RunningServe,
  type ServeOptions,
} from './serve-bundle.js';
export { buildCatalogue, page, type Catalogue } from './catalogue.js';
export { parseRange } from './registry-handler.js';
