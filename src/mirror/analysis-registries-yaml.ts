/**
 * Reading k3s's and RKE2's registries.yaml ("Private Registry
 * Configuration"): `mirrors.<registry>` (or `"*"`) lists endpoints, tried
 * in order, then the default endpoint (the registry itself, always last,
 * without rewrites); `rewrite` maps repositories by regular expression at
 * the mirror endpoints; `configs.<endpoint host>` gives `tls` and `auth`.
 * An endpoint with a path is refused here: how /v2 joins it has changed
 * between k3s releases, and `rewrite` is the documented way to a
 * namespace. Pure.
 */
import { parseEndpointUrl, tlsWords } from './config-analysis.js';
import { manifestUrl, type ImageName, type ImagePlan } from './image-plan.js';
import { upstreamServer, type MirrorTarget } from './mirror-target.js';

type Yaml = Record<string, unknown>;

function isMap(v: unknown): v is Yaml {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's `${1}` and `$1` replacements in JavaScript's words. */
function jsReplacement(go: string): string {
  return go.replace(/\$\{(\d+)\}/g, '$$$1');
}

/** The repository after the first rewrite whose pattern matches, or unchanged. */
export function applyRewrites(rewrite: unknown, repository: string): string {
  if (!isMap(rewrite)) return repository;
  for (const [pattern, replacement] of Object.entries(rewrite)) {
    if (typeof replacement !== 'string') continue;
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch {
      continue;
    }
    if (re.test(repository)) return repository.replace(re, jsReplacement(replacement));
  }
  return repository;
}

export function planRegistriesYaml(
  doc: unknown,
  image: ImageName,
  target: MirrorTarget,
): ImagePlan {
  const problems: string[] = [];
  const notes: string[] = [];
  const fallback = upstreamServer(image.registry);
  const mirrors = isMap(doc) ? doc['mirrors'] : undefined;
  const own = isMap(mirrors) ? mirrors[image.registry] : undefined;
  const wildcard = isMap(mirrors) ? mirrors['*'] : undefined;
  const mirror = isMap(own) ? own : isMap(wildcard) ? wildcard : undefined;
  if (mirror === undefined)
    return {
      status: 'not-mirrored',
      problems: [`no mirrors."${image.registry}": it is pulled from ${fallback}`],
      notes,
      fallback,
      caFiles: [],
    };
  if (!isMap(own)) notes.push('mirrored through mirrors."*"');
  const endpoints = Array.isArray(mirror['endpoint'])
    ? mirror['endpoint'].filter((e): e is string => typeof e === 'string')
    : [];
  const index = endpoints.findIndex(
    (e) => parseEndpointUrl(e)?.host.toLowerCase() === target.registry.toLowerCase(),
  );
  const raw = endpoints[index];
  const url = raw !== undefined ? parseEndpointUrl(raw) : undefined;
  if (raw === undefined || url === undefined)
    return {
      status: endpoints.length > 0 ? 'wrong' : 'not-mirrored',
      problems: [
        `mirrors."${image.registry}".endpoint does not include ${target.registry}: ${endpoints.join(', ') || 'none'}`,
      ],
      notes,
      fallback,
      caFiles: [],
    };
  if (url.scheme !== target.scheme)
    problems.push(`${raw} uses ${url.scheme}, but the mirror speaks ${target.scheme}`);
  if (url.path !== '' && url.path !== '/v2')
    problems.push(
      `${raw} carries a path: write the host only and reach the namespace with rewrite "^(.*)$": "${target.namespace || 'NAMESPACE'}/$1"`,
    );
  if (index > 0) notes.push(`tried after ${endpoints.slice(0, index).join(', ')}`);
  const repository = applyRewrites(mirror['rewrite'], image.repository);
  const configs = isMap(doc) ? doc['configs'] : undefined;
  const config = isMap(configs) ? configs[url.host] : undefined;
  const tls = isMap(config) && isMap(config['tls']) ? config['tls'] : {};
  const caFile = typeof tls['ca_file'] === 'string' ? tls['ca_file'] : undefined;
  const skip = tls['insecure_skip_verify'] === true;
  if (isMap(config) && isMap(config['auth']))
    notes.push(`credentials from configs."${url.host}".auth`);
  return {
    status: problems.length > 0 ? 'wrong' : 'ok',
    endpoint: raw,
    asks: manifestUrl(`${url.scheme}://${url.host}/v2`, repository, image.reference),
    fallback,
    tls: tlsWords(url.scheme, caFile !== undefined ? [caFile] : [], skip),
    problems,
    notes,
    caFiles: caFile !== undefined ? [caFile] : [],
  };
}
