/**
 * Which key of a docker config map belongs to a registry. docker/cli
 * (`registry.GetAuthConfigKey`, `credentials.ConvertToHostname`, file
 * store `Get`) tries the exact key, then any key whose hostname (scheme and
 * path stripped) equals the registry; Docker Hub's key is the legacy
 * `https://index.docker.io/v1/` (protocols.md §2.5, §2.6).
 *
 * We also accept `docker.io`, `index.docker.io` and `registry-1.docker.io`
 * keys for Docker Hub, as written by podman/skopeo `auth.json`; docker/cli
 * would ignore those, but they can only name Docker Hub.
 */
import { dockerHubApiHost, dockerHubRegistry, isDockerHub } from '../../../reference/index.js';

/** The key docker/cli uses for Docker Hub in `auths` and sends to credential helpers. */
export const dockerHubAuthKey = 'https://index.docker.io/v1/';

/** The config key (and credential-helper server URL) for `registry`. */
export function registryKey(registry: string): string {
  return isDockerHub(registry) ? dockerHubAuthKey : registry;
}

/** docker/cli `ConvertToHostname`: drop an http(s) scheme and any path. */
export function convertToHostname(key: string): string {
  let stripped = key;
  const schemeEnd = stripped.indexOf('://');
  if (schemeEnd >= 0) {
    const scheme = stripped.slice(0, schemeEnd);
    if (scheme === 'http' || scheme === 'https') stripped = stripped.slice(schemeEnd + 3);
  }
  const slash = stripped.indexOf('/');
  return slash < 0 ? stripped : stripped.slice(0, slash);
}

function hostnamesFor(registry: string): readonly string[] {
  return isDockerHub(registry)
    ? ['index.docker.io', dockerHubRegistry, dockerHubApiHost]
    : [registry];
}

/**
 * The entry for `registry`: the exact key first, then the first key (in
 * file order, for determinism) whose hostname matches.
 */
export function findForRegistry<T>(
  entries: readonly (readonly [string, T])[],
  registry: string,
): T | undefined {
  const key = registryKey(registry);
  const exact = entries.find(([k]) => k === key);
  if (exact) return exact[1];
  const hostnames = hostnamesFor(registry);
  return entries.find(([k]) => hostnames.includes(convertToHostname(k)))?.[1];
}
