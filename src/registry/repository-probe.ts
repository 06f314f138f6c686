/**
 * Whether a registry takes a repository name, asked before anything is
 * written: open an upload session under it (distribution-spec "Pushing
 * blobs", POST), then cancel it (DELETE). Registries that limit names
 * (GitLab, Quay, some Harbor set-ups) answer the POST with 400 NAME_INVALID
 * or 404 (NAME_UNKNOWN, or no body), where distribution answers 202. Any
 * other failure (credentials, network) is thrown as itself.
 */
import type { BmpackError } from '../errors.js';
import { repoName, type RepositoryRef, uploadsPath } from './endpoint.js';
import { responseError } from './http/response-errors.js';
import type { Requester } from './requester.js';
import { cancelSession, nextLocation, pushScopes } from './upload-session.js';

export type NameVerdict =
  { readonly accepted: true } | { readonly accepted: false; readonly error: BmpackError };

export async function probeRepositoryName(
  rq: Requester,
  repo: RepositoryRef,
): Promise<NameVerdict> {
  const target = await rq.url(repo.registry, uploadsPath(repo));
  const what = `repository name ${repoName(repo)}`;
  const res = await rq.send({
    registry: repo.registry,
    scopes: pushScopes(repo),
    method: 'POST',
    target,
    headers: { 'content-length': '0' },
    body: '',
    what,
  });
  if (res.statusCode === 400 || res.statusCode === 404) {
    const error = await responseError(res, { what, registry: repo.registry });
    const code = error.details.registryCode;
    if (res.statusCode === 404 || code === 'NAME_INVALID') return { accepted: false, error };
    throw error;
  }
  const location = await nextLocation(res, target, what, repo.registry);
  // The open session is the answer; its cancel is tidying, which the push
  // need not wait for behind every other question at the registry (60 ms
  // of a 400-image push's first byte). Closing the client waits for it.
  rq.inBackground(cancelSession(rq, repo, location));
  return { accepted: true };
}
