/**
 * A repository's tags (distribution-spec "Content discovery": GET
 * /v2/<name>/tags/list?n=<n>, then the `Link: <…>; rel="next"` the
 * registry gives until it gives none). Each page is JSON
 * `{"name": …, "tags": [...]}`; distribution answers `"tags": null` for a
 * repository without tags. Pages are yielded as they come.
 */
import { BmpackError } from '../errors.js';
import { repositoryScope } from './auth/scope.js';
import { repoName, type RepositoryRef } from './endpoint.js';
import { boundedBody } from './http/bounded-body.js';
import { headerValues } from './http/headers.js';
import { responseError } from './http/response-errors.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';

/** Tags asked for per page: distribution's default limit is 100, its maximum 1000. */
export const tagPageSize = 1000;
const maxPageBytes = 16 * 1024 * 1024;

export async function* listTags(
  rq: Requester,
  repo: RepositoryRef,
  pageSize = tagPageSize,
): AsyncGenerator<string[], void, undefined> {
  const what = `tags of ${repoName(repo)}`;
  let next: URL | undefined = await rq.url(
    repo.registry,
    `/v2/${repo.repository}/tags/list?n=${pageSize}`,
  );
  for (let pages = 0; next !== undefined; pages++) {
    if (pages > 100_000) throw invalid(what, 'the registry keeps sending next pages');
    const res = await rq.send({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      method: 'GET',
      target: next,
      headers: { accept: 'application/json' },
      what,
    });
    if (res.statusCode !== 200) throw await responseError(res, { what, registry: repo.registry });
    yield parsePage(await readPage(res, what), what);
    next = nextPage(headerValues(res.headers, 'link'), next);
  }
}

/** RFC 8288: the target of the `rel="next"` link, relative to the page that gave it. */
export function nextPage(links: readonly string[], base: URL): URL | undefined {
  for (const value of links) {
    for (const link of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>(.*)$/.exec(link);
      if (m?.[1] !== undefined && /;\s*rel="?next"?/i.test(m[2] ?? '')) return new URL(m[1], base);
    }
  }
  return undefined;
}

function parsePage(text: string, what: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(what, 'the answer is not JSON', err);
  }
  if (typeof json !== 'object' || json === null) throw invalid(what, 'the answer is not an object');
  const tags = (json as { tags?: unknown }).tags;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags) || !tags.every((t): t is string => typeof t === 'string'))
    throw invalid(what, '"tags" is not a list of strings');
  return tags;
}

async function readPage(res: HttpResponse, what: string): Promise<string> {
  const tooLarge = () => invalid(what, `a page is larger than ${maxPageBytes} bytes`);
  return (await boundedBody(res, maxPageBytes, tooLarge)).toString('utf8');
}

function invalid(what: string, problem: string, cause?: unknown): BmpackError {
  return new BmpackError('E_REGISTRY', `${what}: ${problem}`, {
    hint: 'The registry does not answer the tag list as the distribution spec says.',
    ...(cause !== undefined ? { cause } : {}),
  });
}
