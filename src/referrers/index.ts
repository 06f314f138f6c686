/** Signatures, attestations, SBOMs and other referrers of images (issue: supply chain). */
export {
  referrerKinds,
  referrerTags,
  type ReferrerKind,
  type ReferrerTag,
} from './referrer-tags.js';
export { registryReferrers, type ReferrerOptions } from './registry-referrers.js';
