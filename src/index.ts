/**
 * bmpack as a library: the use cases the CLI runs, with typed options and
 * results, and the pieces they are built from (the image stores, the
 * walker, the copy engine). The CLI is a thin client of exactly this.
 *
 * ```ts
 * import { createBundle, pushImages } from 'bmpack';
 * const bundle = await createBundle({ manifests: ['release.yaml'] });
 * await pushImages({ source: bundle.output, privateRegistry: '10.0.0.5:5000/mirror' });
 * ```
 *
 * Every failure is a {@link BmpackError} with a stable `code` (match on it),
 * an `exitCode`, a `hint`, and often a machine `reason`.
 */

// Use cases.
export {
  createBundle,
  defaultConcurrency,
  type CreateBundleOptions,
  type CreateBundleResult,
} from './bundle-writer/create-bundle.js';
export {
  defaultPushConcurrency,
  pushImages,
  type PushImagesOptions,
  type PushImagesResult,
} from './push/push-images.js';
export { copyImage, type ImageCopyOptions, type ImageCopyResult } from './image/copy-image.js';
export { inspectRemoteImage, type InspectRemoteOptions } from './image/inspect-remote.js';
export type { ImageInspection } from './image/inspect-image.js';
export {
  inspectBundle,
  type BundleInspection,
  type InspectedImage,
} from './inspect/inspect-bundle.js';
export { verifyBundle, type VerifyBundleOptions } from './verify/verify-bundle.js';
export {
  mergeBundles,
  type MergeBundlesOptions,
  type MergeBundlesResult,
} from './bundle-writer/merge-bundles.js';
export {
  serveBundles,
  type AccessLine,
  type RunningServe,
  type ServeOptions,
} from './serve/index.js';
export {
  loadSignatureTrust,
  verifySignatures,
  type SignatureCheck,
  type SignatureTrust,
  type SignatureTrustFiles,
} from './referrers/index.js';
export type { VerifyReport } from './verify/verify-report.js';
export {
  checkMirror,
  mirrorConfig,
  mirrorRuntimeConfig,
  mirrorRuntimes,
  runtimeCapabilities,
  type MirrorCheckOptions,
  type MirrorCheckReport,
  type MirrorConfigOptions,
  type MirrorConfigResult,
  type MirrorRuntime,
  type MirrorRuntimeOptions,
  type MirrorRuntimeResult,
  type RuntimeCapabilities,
} from './mirror/index.js';

// The core they share.
export { copyImages, type CopyOptions, type CopyOutcome, type CopyRequest } from './copy/index.js';
export { walkFrom, walkImage, type ImageGraph, type WalkOptions } from './graph/index.js';
export * from './store/index.js';
export { openBundleSource, type BundleSource } from './bundle-reader/index.js';
export { RegistryClient, type RegistryClientOptions } from './registry/client.js';
export type { HostOptions } from './registry/http/host-options.js';
export {
  dockerConfigCredentials,
  staticCredentials,
  type CredentialStore,
} from './registry/auth/credentials/index.js';

// Values and errors.
export {
  formatReference,
  parseImageLocation,
  parseReference,
  type ImageReference,
} from './reference/index.js';
export { parsePlatform, type PlatformSpec } from './oci/platform.js';
export { BmpackError, ExitCode, isBmpackError, type ErrorCode } from './errors.js';
export type { ProgressEvent, ProgressListener } from './events.js';
export { toolVersion } from './version.js';
