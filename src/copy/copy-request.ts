/**
 * One image to copy: where it is in the source, where it goes in the sink.
 */
import type { ImageGraph } from '../graph/index.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { ReferrerLink } from '../oci/referrer-kinds.js';
import type { ImageReference } from '../reference/index.js';

export interface CopyRequest {
  /** The image's full target reference, as progress events and errors name it. */
  readonly name: string;
  /** How messages name it in the source: `gcr.io/x/y:1`, and where that is: `in release.tar.xz`. */
  readonly sourceName: string;
  readonly where?: string;
  /** Where it is in the source (a registry source reads its blobs from this repository). */
  readonly from: ImageReference;
  /** Its top descriptor when the source lists it; otherwise `from` is resolved. */
  readonly top?: Descriptor;
  /** Keep only these platforms of a multi-platform image (a filtered index is written). */
  readonly platforms?: readonly PlatformSpec[];
  /** Pinned by digest: carry its index whole despite `platforms`, or fail (see WalkOptions.pinned). */
  readonly pinned?: 'whole' | 'strict';
  /** A signature, attestation, SBOM or other referrer brought along by another image. */
  readonly referrer?: ReferrerLink;
  /** Where it goes in the sink; without a tag it is stored by digest only. */
  readonly to: { readonly repository: string; readonly tag?: string };
}

/** A request with its image walked in the source. */
export interface PlannedImage {
  readonly request: CopyRequest;
  readonly graph: ImageGraph;
}
