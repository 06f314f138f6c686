/**
 * Reading Docker's daemon.json: `registry-mirrors` serve Docker Hub images
 * only; a mirror URL with a path stops dockerd from starting (moby
 * registry.ValidateMirror); a plain HTTP mirror must be listed in
 * `insecure-registries`; the CA is `/etc/docker/certs.d/HOST:PORT/ca.crt`.
 * Pure.
 */
import { parseEndpointUrl, tlsWords } from './config-analysis.js';
import { manifestUrl, type ImageName, type ImagePlan } from './image-plan.js';
import { upstreamServer, type MirrorTarget } from './mirror-target.js';
import { dockerHubRegistry } from '../reference/index.js';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export function planDaemonJson(
  doc: unknown,
  image: ImageName,
  target: MirrorTarget,
  certsDir: (host: string) => string,
): ImagePlan {
  const fallback = upstreamServer(image.registry);
  if (image.registry !== dockerHubRegistry)
    return {
      status: 'not-mirrored',
      problems: [
        `Docker uses registry-mirrors for docker.io only: ${image.registry} images are pulled from ${fallback}`,
      ],
      notes: [],
      fallback,
      caFiles: [],
    };
  const map = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const mirrors = strings(map['registry-mirrors']);
  const raw = mirrors.find(
    (m) => parseEndpointUrl(m)?.host.toLowerCase() === target.registry.toLowerCase(),
  );
  const url = raw !== undefined ? parseEndpointUrl(raw) : undefined;
  if (raw === undefined || url === undefined)
    return {
      status: mirrors.length > 0 ? 'wrong' : 'not-mirrored',
      problems: [
        `registry-mirrors does not include ${target.scheme}://${target.registry}: ${mirrors.join(', ') || 'none'}`,
      ],
      notes: [],
      fallback,
      caFiles: [],
    };
  const problems: string[] = [];
  if (url.path !== '')
    problems.push(
      `${raw} has a path: dockerd refuses to start ("invalid mirror: path, query, or fragment at end of the URI")`,
    );
  if (target.namespace !== '')
    problems.push(
      `Docker asks the mirror for /v2/<repository>, but push put the images under /v2/${target.namespace}/: Docker cannot use a namespaced mirror`,
    );
  const insecure = strings(map['insecure-registries']).includes(url.host);
  if (url.scheme === 'http' && !insecure)
    problems.push(`${raw} is plain HTTP but ${url.host} is not in insecure-registries`);
  const ca = `${certsDir(url.host)}/ca.crt`;
  return {
    status: problems.length > 0 ? 'wrong' : 'ok',
    endpoint: raw,
    asks: manifestUrl(`${url.scheme}://${url.host}/v2`, image.repository, image.reference),
    fallback,
    tls: insecure
      ? 'insecure-registries: certificate not verified'
      : tlsWords(url.scheme, url.scheme === 'https' ? [ca] : [], false),
    problems,
    notes: [],
    caFiles: [],
    ...(url.scheme === 'https' && !insecure ? { optionalCa: ca } : {}),
  };
}
