/**
 * Parsed image manifests and indexes. Parsing only reads; the exact bytes
 * stay the source of truth (a digest is over the bytes, never over
 * re-serialised JSON: distribution-spec "Pulling manifests").
 */
import { BmpackError } from '../errors.js';
import { type Descriptor, isRecord, parseDescriptor } from './descriptor.js';
import {
  isImageConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  type ManifestMediaType,
} from './media-types.js';

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: ManifestMediaType;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  /** OCI 1.1 artifacts (image-spec manifest.md "artifactType"). */
  readonly artifactType?: string;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: ManifestMediaType;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
}

export type AnyManifest = ImageManifest | ImageIndex;

function invalid(where: string, what: string, cause?: unknown): BmpackError {
  return new BmpackError('E_MANIFEST_INVALID', `${where}: ${what}`, {
    hint: 'The manifest does not follow the OCI image spec or Docker schema 2; it may be corrupt.',
    cause,
  });
}

function descriptors(value: unknown, where: string, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(where, `"${field}" is not an array`);
  return value.map((d: unknown, i) => parseDescriptor(d, `${where} ${field}[${i}]`));
}

/**
 * Parse manifest bytes. `declaredType` is the Content-Type or descriptor
 * mediaType the bytes came with; when the body names its own mediaType the
 * two must agree (distribution-spec: clients SHOULD reject a mismatch).
 */
export function parseManifest(
  bytes: Uint8Array,
  declaredType: string | undefined,
  where: string,
): AnyManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw invalid(where, 'is not valid JSON', err);
  }
  if (!isRecord(json)) throw invalid(where, 'is not a JSON object');
  const bodyType = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const mediaType = bodyType ?? declaredType ?? guessType(json);
  if (isSchema1MediaType(mediaType) || json.schemaVersion === 1) {
    throw new BmpackError(
      'E_UNSUPPORTED_MEDIA_TYPE',
      `${where}: Docker schema 1 manifests are not supported`,
      {
        hint: 'Schema 1 is deprecated and unsupported by containerd 2; rebuild or re-push the image with a current client.',
      },
    );
  }
  if (!isManifestMediaType(mediaType))
    throw invalid(where, `has unsupported media type ${mediaType}`);
  if (
    bodyType !== undefined &&
    declaredType !== undefined &&
    isManifestMediaType(declaredType) &&
    bodyType !== declaredType
  ) {
    throw invalid(where, `says mediaType ${bodyType} but was served as ${declaredType}`);
  }
  const subject =
    json.subject === undefined ? undefined : parseDescriptor(json.subject, `${where} subject`);
  const extra = subject ? { subject } : {};
  if (isIndexMediaType(mediaType)) {
    return {
      kind: 'index',
      mediaType,
      manifests: descriptors(json.manifests, where, 'manifests'),
      ...extra,
    };
  }
  const config = parseDescriptor(json.config, `${where} config`);
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  return {
    kind: 'manifest',
    mediaType,
    config,
    layers: descriptors(json.layers, where, 'layers'),
    ...extra,
    ...(artifactType !== undefined ? { artifactType } : {}),
  };
}

/** OCI allows an absent mediaType; tell an index from a manifest by shape. */
function guessType(json: Record<string, unknown>): string {
  if (Array.isArray(json.manifests)) return 'application/vnd.oci.image.index.v1+json';
  if (json.config !== undefined) return 'application/vnd.oci.image.manifest.v1+json';
  return 'unknown';
}

/** Every descriptor a manifest points at (config and layers, or children). */
export function referencedDescriptors(m: AnyManifest): readonly Descriptor[] {
  return m.kind === 'index' ? m.manifests : [m.config, ...m.layers];
}

/**
 * True for a manifest of something other than a container image: an OCI
 * 1.1 artifact (`artifactType`), or one whose config is not an image config
 * (a Helm chart). Such content has no platform, and platform filters pass
 * it through unchanged.
 */
export function isArtifactManifest(m: ImageManifest): boolean {
  return m.artifactType !== undefined || !isImageConfigMediaType(m.config.mediaType);
}
