/**
 * Manifest GET, HEAD and PUT (distribution-spec "Pulling manifests",
 * "Checking if content exists", "Pushing Manifests").
 */
import { boundedBody } from './http/bounded-body.js';
import { sha256Digest, digestLike } from '../content/digest.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { isDigest } from '../oci/descriptor.js';
import { type AnyManifest, parseManifest } from '../oci/manifest.js';
import {
  baseMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  manifestAccept,
} from '../oci/media-types.js';
import { formatReference, type ImageReference } from '../reference/index.js';
import { repositoryScope } from './auth/scope.js';
import { manifestPath, repoName, type RepositoryRef } from './endpoint.js';
import { header } from './http/headers.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';

/** The most manifest bytes we accept (the spec asks registries to take at least 4 MB). */
export const maxManifestBytes = 8 * 1024 * 1024;

export interface FetchedManifest {
  /** The exact bytes received: their digest is the manifest's identity. */
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly manifest: AnyManifest;
}

const accept = manifestAccept.join(', ');

function referenceOf(ref: ImageReference): string {
  const r = ref.digest ?? ref.tag;
  if (r === undefined)
    throw new BmpackError('E_REF_INVALID', `${formatReference(ref)} has neither tag nor digest`);
  return r;
}

/** GET or HEAD of a manifest by tag or digest, accepting every manifest type we read. */
async function askForManifest(
  rq: Requester,
  ref: ImageReference,
  method: 'GET' | 'HEAD',
): Promise<{ what: string; res: HttpResponse }> {
  const what = `image ${formatReference(ref)}`;
  const res = await rq.send({
    registry: ref.registry,
    scopes: [repositoryScope(ref.repository, ['pull'])],
    method,
    target: manifestPath(ref, referenceOf(ref)),
    headers: { accept },
    what,
  });
  return { what, res };
}

export async function getManifest(rq: Requester, ref: ImageReference): Promise<FetchedManifest> {
  const { what, res } = await askForManifest(rq, ref, 'GET');
  if (res.statusCode !== 200) throw await responseError(res, { what, registry: ref.registry });
  const contentType = baseMediaType(header(res.headers, 'content-type') ?? '');
  if (isSchema1MediaType(contentType)) {
    await res.body.dump();
    throw new BmpackError(
      'E_UNSUPPORTED_MEDIA_TYPE',
      `${what}: is a Docker schema 1 manifest, which bmpack does not support`,
      {
        hint: 'Schema 1 is deprecated (containerd 2 refuses it too). Re-push the image with a current client to get schema 2 or OCI.',
      },
    );
  }
  const bytes = await readManifestBody(res, what);
  const digest = verifyManifestDigest(
    bytes,
    ref.digest,
    header(res.headers, 'docker-content-digest'),
    what,
  );
  const manifest = parseManifest(
    bytes,
    isManifestMediaType(contentType) ? contentType : undefined,
    what,
  );
  return { bytes, digest, mediaType: manifest.mediaType, manifest };
}

function readManifestBody(res: HttpResponse, what: string): Promise<Buffer> {
  return boundedBody(
    res,
    maxManifestBytes,
    () =>
      new BmpackError(
        'E_MANIFEST_TOO_LARGE',
        `${what}: manifest larger than ${maxManifestBytes} bytes`,
        {
          hint: 'Manifests are small JSON documents; this registry sent something else.',
        },
      ),
  );
}

/**
 * The digest is computed over the bytes received. When pulling by digest it
 * must match; a Docker-Content-Digest header, when present, must match too
 * (distribution-spec: "the client MUST verify").
 */
function verifyManifestDigest(
  bytes: Buffer,
  wanted: string | undefined,
  served: string | undefined,
  what: string,
): string {
  const digest = wanted !== undefined ? digestLike(wanted, bytes) : sha256Digest(bytes);
  const mismatch = (expected: string): BmpackError =>
    new BmpackError(
      'E_DIGEST_MISMATCH',
      `${what}: manifest digest is ${digest}, expected ${expected}`,
      {
        hint: 'The registry served different bytes than it claims; it may be corrupt, or something in between altered them.',
        details: { expected, actual: digest },
      },
    );
  if (wanted !== undefined && digest !== wanted) throw mismatch(wanted);
  if (
    served !== undefined &&
    isDigest(served) &&
    served !== (wanted !== undefined ? digest : digestLike(served, bytes))
  ) {
    throw mismatch(served);
  }
  return digest;
}

/** HEAD a manifest: its descriptor, or undefined when the registry does not have it. */
export async function headManifest(
  rq: Requester,
  ref: ImageReference,
): Promise<Descriptor | undefined> {
  const { what, res } = await askForManifest(rq, ref, 'HEAD');
  await res.body.dump();
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) throw await responseError(res, { what, registry: ref.registry });
  const digest = header(res.headers, 'docker-content-digest');
  const size = Number(header(res.headers, 'content-length'));
  const mediaType = baseMediaType(header(res.headers, 'content-type') ?? '');
  if (!isDigest(digest) || !Number.isSafeInteger(size)) {
    // The header is optional (spec: clients SHOULD NOT depend on it): fall back to GET.
    const m = await getManifest(rq, ref);
    return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }
  return { mediaType, digest, size };
}

/**
 * PUT a manifest under a tag or its digest, with its own media type as
 * Content-Type (the spec: "clients MUST set"). Returns its digest.
 */
export async function putManifest(
  rq: Requester,
  repo: RepositoryRef,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  /** Called with the `OCI-Subject` the registry answers (it processed the manifest's subject). */
  onSubject?: (subject: string) => void,
): Promise<string> {
  const digest = sha256Digest(bytes);
  const what = `manifest ${repoName(repo)}:${reference}`;
  const res = await rq.send({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    method: 'PUT',
    target: manifestPath(repo, reference),
    headers: { 'content-type': mediaType },
    body: bytes,
    what,
  });
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw await responseError(res, { what, registry: repo.registry });
  await res.body.dump();
  const subject = header(res.headers, 'oci-subject');
  if (subject !== undefined && isDigest(subject)) onSubject?.(subject);
  const served = header(res.headers, 'docker-content-digest');
  if (served !== undefined && isDigest(served) && served !== digest) {
    throw new BmpackError(
      'E_DIGEST_MISMATCH',
      `${what}: the registry stored digest ${served}, expected ${digest}`,
      {
        hint: 'The registry altered the manifest; it may not support this media type.',
      },
    );
  }
  return digest;
}
