/**
 * The OCI 1.1 referrers API (distribution-spec "Listing Referrers"):
 * `GET /v2/<name>/referrers/<digest>` answers an image index of the
 * manifests whose `subject` is that digest, page by page (`Link: <…>;
 * rel="next"`), optionally filtered by `artifactType`. A registry with the
 * API answers 200 even when nothing refers to the digest; one without it
 * answers 404 (distribution 2.8 among them).
 */
import { BmpackError } from '../errors.js';
import { isRecord, parseDescriptor, type Descriptor } from '../oci/descriptor.js';
import { repositoryScope } from './auth/scope.js';
import { repoName, type RepositoryRef } from './endpoint.js';
import { boundedBody } from './http/bounded-body.js';
import { header, headerValues } from './http/headers.js';
import { responseError } from './http/response-errors.js';
import type { Requester } from './requester.js';
import { nextPage } from './tag-list.js';

const maxPageBytes = 4 * 1024 * 1024;

/** The referrers of `digest`; undefined when the registry has no referrers API. */
export async function listReferrers(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
  artifactType?: string,
): Promise<Descriptor[] | undefined> {
  const what = `referrers of ${repoName(repo)}@${digest}`;
  const query =
    artifactType !== undefined ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  let next: URL | undefined = await rq.url(
    repo.registry,
    `/v2/${repo.repository}/referrers/${digest}${query}`,
  );
  const found: Descriptor[] = [];
  for (let pages = 0; next !== undefined; pages++) {
    if (pages > 10_000) throw invalid(what, 'the registry keeps sending next pages');
    const res = await rq.send({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      method: 'GET',
      target: next,
      headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      what,
    });
    if (pages === 0 && (res.statusCode === 404 || res.statusCode === 405)) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode !== 200) throw await responseError(res, { what, registry: repo.registry });
    const body = await boundedBody(res, maxPageBytes, () =>
      invalid(what, `a page is larger than ${maxPageBytes} bytes`),
    );
    const page = parsePage(body, what);
    // A registry that did not apply the filter says nothing (OCI-Filters-Applied): filter here.
    const filtered = header(res.headers, 'oci-filters-applied')?.includes('artifactType') === true;
    found.push(
      ...page.filter(
        (d) => artifactType === undefined || filtered || d.artifactType === artifactType,
      ),
    );
    next = nextPage(headerValues(res.headers, 'link'), next);
  }
  return found;
}

/** The `manifests` of one page of the answer, each a valid descriptor. */
export function parsePage(body: Buffer, what: string): Descriptor[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalid(what, 'the answer is not JSON', err);
  }
  if (!isRecord(json)) throw invalid(what, 'the answer is not an image index');
  const manifests = json.manifests ?? [];
  if (!Array.isArray(manifests)) throw invalid(what, '"manifests" is not an array');
  return manifests.map((d: unknown, i) => parseDescriptor(d, `${what} manifests[${i}]`));
}

function invalid(what: string, problem: string, cause?: unknown): BmpackError {
  return new BmpackError('E_REGISTRY', `${what}: ${problem}`, {
    hint: 'The registry does not answer the referrers API as the distribution spec says.',
    ...(cause !== undefined ? { cause } : {}),
  });
}
