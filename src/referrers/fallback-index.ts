/**
 * The referrers tag schema's index (distribution-spec "Referrers Tag
 * Schema"), pure: a registry without the referrers API keeps, under the tag
 * `<alg>-<hex>` of a subject, an image index of the manifests that refer to
 * it. A client that pushes a referrer there updates it by read-modify-write
 * and keeps the entries already in it.
 */
import { isRecord, type Descriptor } from '../oci/descriptor.js';
import { parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';

/**
 * The descriptor the referrers list gives a referrer: its media type,
 * digest and size, its `artifactType` (the config's media type when the
 * manifest names none) and its annotations (image-spec manifest.md).
 */
export function referrerDescriptor(bytes: Buffer, digest: string, where: string): Descriptor {
  const m = parseManifest(bytes, undefined, where);
  const json: unknown = JSON.parse(bytes.toString('utf8'));
  const annotations = isRecord(json) ? stringMap(json.annotations) : undefined;
  const artifactType =
    m.kind === 'manifest'
      ? (m.artifactType ?? m.config.mediaType)
      : isRecord(json) && typeof json.artifactType === 'string'
        ? json.artifactType
        : undefined;
  return {
    mediaType: m.mediaType,
    digest,
    size: bytes.length,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * The index with `add` merged into what is there (`existing`, the bytes
 * at the tag, or undefined when there is none): every entry kept, each
 * digest once. Undefined when every entry is there already (nothing to write).
 */
export function mergeFallbackIndex(
  existing: readonly Descriptor[] | undefined,
  add: readonly Descriptor[],
): Buffer | undefined {
  const have = new Set((existing ?? []).map((d) => d.digest));
  const missing = add.filter(
    (d, i) => !have.has(d.digest) && add.findIndex((e) => e.digest === d.digest) === i,
  );
  if (missing.length === 0) return undefined;
  const manifests = [...(existing ?? []), ...missing];
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }),
  );
}
