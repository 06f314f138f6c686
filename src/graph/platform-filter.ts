/**
 * Choosing the children of an index for the requested platforms, and
 * writing the filtered index. Pure.
 *
 * Attestation manifests (BuildKit: platform unknown/unknown, annotation
 * `vnd.docker.reference.type: attestation-manifest`) are kept when the
 * child they describe is kept.
 */
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { formatPlatform, platformMatches, type PlatformSpec } from '../oci/platform.js';

const refType = 'vnd.docker.reference.type';
const refDigest = 'vnd.docker.reference.digest';

export function platformOf(d: Descriptor): string | undefined {
  return d.platform === undefined ? undefined : formatPlatform(d.platform);
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.[refType] === 'attestation-manifest';
}

/** The children to keep; throws E_PLATFORM_MISSING naming the image and platform. */
export function selectChildren(
  children: readonly Descriptor[],
  wanted: readonly PlatformSpec[],
  image: string,
): Descriptor[] {
  const keep = new Set<string>();
  for (const p of wanted) {
    const matches = children.filter(
      (c) => !isAttestation(c) && c.platform !== undefined && platformMatches(p, c.platform),
    );
    if (matches.length === 0) {
      const has = children.flatMap((c) => (isAttestation(c) ? [] : [platformOf(c) ?? 'unknown']));
      throw new BmpackError(
        'E_PLATFORM_MISSING',
        `image ${image} has no ${formatPlatform(p)} manifest (it has: ${has.join(', ') || 'none'})`,
        {
          hint: 'Remove that platform for this image (entry-level "platforms:" in the manifest), or pick another tag.',
          details: { image, platform: formatPlatform(p) },
        },
      );
    }
    for (const m of matches) keep.add(m.digest);
  }
  for (const c of children) {
    const subject = c.annotations?.[refDigest];
    if (isAttestation(c) && subject !== undefined && keep.has(subject)) keep.add(c.digest);
  }
  return children.filter((c) => keep.has(c.digest));
}

/**
 * The index's bytes with only the kept children. Everything else in the
 * document (annotations, mediaType, unknown fields) is kept as it was.
 */
export function filterIndexBytes(
  original: Buffer,
  keep: ReadonlySet<string>,
  image: string,
): Buffer {
  const json = JSON.parse(original.toString('utf8')) as Record<string, unknown>;
  const manifests = Array.isArray(json.manifests) ? (json.manifests as unknown[]) : [];
  json.manifests = manifests.filter(
    (m) =>
      typeof m === 'object' && m !== null && keep.has(String((m as { digest?: unknown }).digest)),
  );
  try {
    return Buffer.from(JSON.stringify(json));
  } catch (err) {
    // JSON.stringify recurses: a document nested deeper than its stack
    // (parsing it did not) cannot be written back.
    if (!(err instanceof RangeError)) throw err;
    throw new BmpackError(
      'E_MANIFEST_INVALID',
      `image ${image}: its index nests too deeply to be filtered by platform`,
      {
        hint: 'The registry serves an unusual index: bundle all its platforms, or check the image.',
        reason: 'platform-unresolvable',
        cause: err,
      },
    );
  }
}

/**
 * A single-platform image (no index) must be of every platform asked for:
 * E_PLATFORM_MISSING naming the image otherwise. `platform` is what its
 * config names, undefined when it names none.
 */
export function checkSinglePlatform(
  image: string,
  platform: string | undefined,
  wanted: readonly PlatformSpec[],
): void {
  const [os = '', architecture = '', variant] = (platform ?? '').split('/');
  const candidate = { os, architecture, ...(variant !== undefined ? { variant } : {}) };
  for (const p of wanted) {
    if (platform !== undefined && platformMatches(p, candidate)) continue;
    throw new BmpackError(
      'E_PLATFORM_MISSING',
      `image ${image} is a single ${platform ?? 'unknown-platform'} image and has no ${formatPlatform(p)}`,
      {
        hint: 'Remove that platform for this image (entry-level "platforms:" in the manifest), or pick a multi-platform tag.',
        details: { image, platform: formatPlatform(p) },
      },
    );
  }
}
