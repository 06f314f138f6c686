/**
 * Parse an image reference the way `docker pull` and containerd do
 * (distribution/reference `ParseNormalizedNamed`, then `TagNameOnly`):
 * `nginx` → `docker.io/library/nginx:latest`.
 *
 * One deliberate difference: upstream's regexp may swallow an invalid
 * registry such as `foo_bar.com` into the path and return a name with no
 * domain at all; we refuse it, since every reference here must name a
 * registry to talk to.
 */
import { BmpackError } from '../errors.js';
import { parseDigest } from './digest.js';
import { splitDockerDomain } from './docker-hub.js';
import {
  domainAndPortRegexp,
  identifierRegexp,
  pathComponentRegexp,
  repositoryNameMaxLength,
} from './grammar.js';
import type { ImageReference } from './image-reference.js';
import { tagProblem } from './tag.js';

/** `TagNameOnly`: the tag a reference gets when it names neither tag nor digest. */
export const defaultTag = 'latest';

const hint =
  'Write an image as [registry[:port]/]repository[:tag][@sha256:<hex>], e.g. nginx:1.27, ghcr.io/org/app@sha256:… or localhost:5000/team/app:v1. Repository paths are lowercase.';

function invalid(input: string, problem: string, cause?: unknown): BmpackError {
  return new BmpackError(
    'E_REF_INVALID',
    `invalid image reference ${JSON.stringify(input)}: ${problem}`,
    {
      hint,
      cause: cause ?? new Error(problem),
      details: { reference: input },
    },
  );
}

/** What is wrong with a repository path, or undefined when it is valid. */
function repositoryProblem(path: string): string | undefined {
  if (path === '') return 'the repository name is empty';
  if (path.length > repositoryNameMaxLength) {
    return `the repository name is ${path.length} characters long (at most ${repositoryNameMaxLength})`;
  }
  for (const component of path.split('/')) {
    if (component === '')
      return 'the repository name has an empty path component ("//" or a trailing "/")';
    if (pathComponentRegexp.test(component)) continue;
    if (pathComponentRegexp.test(component.toLowerCase())) {
      return `the repository name must be lowercase (${JSON.stringify(component)})`;
    }
    return `path component ${JSON.stringify(component)} is invalid: use lowercase letters and digits separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** Cut `name[:tag][@digest]`; neither names nor tags may contain ':' or '@'. */
function splitTagAndDigest(remainder: string): { path: string; tag?: string; digest?: string } {
  const at = remainder.indexOf('@');
  const beforeDigest = at < 0 ? remainder : remainder.slice(0, at);
  const digest = at < 0 ? undefined : remainder.slice(at + 1);
  const colon = beforeDigest.indexOf(':');
  const path = colon < 0 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon < 0 ? undefined : beforeDigest.slice(colon + 1);
  return {
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/**
 * Parse and normalise an image reference.
 * @throws BmpackError E_REF_INVALID naming the input and what is wrong.
 */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'the reference is empty');
  if (/\s/.test(input)) throw invalid(input, 'the reference contains whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw invalid(input, 'a reference has no URL scheme: drop the "scheme://" prefix');
  }
  if (identifierRegexp.test(input)) {
    throw invalid(input, 'a 64-character hex image ID is not a repository name');
  }
  const { domain, remainder } = splitDockerDomain(input);
  if (!domainAndPortRegexp.test(domain)) {
    throw invalid(input, `registry ${JSON.stringify(domain)} is not a valid host[:port]`);
  }
  const { path, tag, digest } = splitTagAndDigest(remainder);
  const pathProblem = repositoryProblem(path);
  if (pathProblem !== undefined) throw invalid(input, pathProblem);
  if (tag !== undefined) {
    const problem = tagProblem(tag);
    if (problem !== undefined) throw invalid(input, problem);
  }
  if (digest !== undefined) {
    if (digest === '') throw invalid(input, 'the digest after "@" is empty');
    try {
      parseDigest(digest);
    } catch (err) {
      throw invalid(input, err instanceof Error ? err.message : 'invalid digest', err);
    }
  }
  return {
    registry: domain,
    repository: path,
    ...(tag === undefined && digest === undefined ? { tag: defaultTag } : {}),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}
