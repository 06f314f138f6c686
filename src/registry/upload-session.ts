/**
 * Upload sessions (distribution-spec "Pushing blobs"): POST one (or a
 * mount), follow its Location, ask where it stands ("Get blob upload
 * status"), and cancel it.
 */
import { BmpackError } from '../errors.js';
import { repositoryScope } from './auth/scope.js';
import { repoName, type RepositoryRef, uploadsPath } from './endpoint.js';
import { header } from './http/headers.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';

export const pushScopes = (repo: RepositoryRef, from?: string): string[] => [
  repositoryScope(repo.repository, ['pull', 'push']),
  ...(from !== undefined && from !== repo.repository ? [repositoryScope(from, ['pull'])] : []),
];

/**
 * Where an upload session stands (distribution-spec "Resuming an upload" /
 * "Get blob upload status": 204 with `Range: 0-N` and the Location to go on
 * at). Undefined when the registry cannot say, or holds nothing yet, or
 * holds no less than the blob: then the upload starts over.
 */
export async function uploadStatus(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  size: number,
): Promise<{ location: URL; offset: number } | undefined> {
  const res = await rq
    .send({
      registry: repo.registry,
      scopes: pushScopes(repo),
      method: 'GET',
      target: url,
      what: `upload status in ${repoName(repo)}`,
    })
    .catch(() => undefined);
  if (res === undefined) return undefined;
  await res.body.dump();
  if (res.statusCode !== 204) return undefined;
  const range = /^0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
  // `0-0` is said of an empty session too: nothing worth resuming.
  const last = range?.[1] !== undefined ? Number(range[1]) : 0;
  if (last <= 0 || last + 1 >= size) return undefined;
  const location = header(res.headers, 'location');
  return { location: location !== undefined ? new URL(location, url) : url, offset: last + 1 };
}

/** POST a session (or a mount). Returns the upload URL, or 'mounted'. */
export async function openSession(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
  mount?: { from: string },
): Promise<URL | 'mounted'> {
  const target = await rq.url(repo.registry, uploadsPath(repo));
  if (mount !== undefined) {
    target.searchParams.set('mount', digest);
    target.searchParams.set('from', mount.from);
  }
  const what = mount
    ? `mount of ${digest} from ${mount.from} into ${repoName(repo)}`
    : `upload of ${digest} to ${repoName(repo)}`;
  const res = await rq.send({
    registry: repo.registry,
    scopes: pushScopes(repo, mount?.from),
    method: 'POST',
    target,
    headers: { 'content-length': '0' },
    body: '',
    what,
  });
  if (res.statusCode === 201 && mount !== undefined) {
    await res.body.dump();
    return 'mounted';
  }
  return nextLocation(res, target, what, repo.registry);
}

export async function nextLocation(
  res: HttpResponse,
  requestUrl: URL,
  what: string,
  registry: string,
): Promise<URL> {
  if (res.statusCode !== 202) throw await responseError(res, { what, registry });
  await res.body.dump();
  const location = header(res.headers, 'location');
  if (location === undefined) {
    throw new BmpackError('E_REGISTRY', `${what}: the registry gave no upload Location`, {
      hint: 'The registry does not follow the distribution spec.',
    });
  }
  return new URL(location, requestUrl);
}

export async function cancelSession(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  cleanup = false,
): Promise<void> {
  const res = await rq
    .send({
      registry: repo.registry,
      scopes: pushScopes(repo),
      method: 'DELETE',
      target: url,
      what: 'cancel upload',
      ...(cleanup ? { cleanup } : {}),
    })
    .catch(() => undefined);
  await res?.body.dump();
}
