/** Signatures, attestations, SBOMs and other referrers of images (issue: supply chain). */
export {
  referrerKinds,
  referrerTags,
  type ReferrerKind,
  type ReferrerTag,
} from './referrer-tags.js';
export { registryReferrers, type ReferrerOptions } from './registry-referrers.js';
export {
  loadKeys,
  verifySignatures,
  type PublicKeyFile,
  type SignatureCheck,
} from './verify-signatures.js';
export { readPayload, signatureValid } from './simple-signing.js';
