/** Signatures, attestations, SBOMs and other referrers of images (issue: supply chain). */
export {
  parseReferrerTag,
  referrerKinds,
  referrerTags,
  type ReferrerKind,
  type ReferrerTag,
} from './referrer-tags.js';
export { registryReferrers, type ReferrerOptions } from './registry-referrers.js';
export { mergeFallbackIndex, referrerDescriptor } from './fallback-index.js';
export { pushedReferrers } from './bundle-referrers.js';
export {
  updateFallbackIndexes,
  type FallbackOutcome,
  type PushedReferrer,
} from './push-referrers.js';
export { verifySignatures, type SignatureCheck } from './verify-signatures.js';
export {
  loadSignatureTrust,
  type CertificateIdentity,
  type PublicKeyFile,
  type SignatureTrust,
  type SignatureTrustFiles,
} from './signature-trust.js';
export type { TransparencyLog } from './signature-verdict.js';
export { readPayload, signatureValid } from './simple-signing.js';
