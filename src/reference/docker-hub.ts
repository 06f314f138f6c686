/**
 * Docker Hub's naming quirks, from distribution/reference normalize.go
 * (`splitDockerDomain`) and containerd's remotes/docker hosts.go; see
 * protocols.md §2.5.
 */

/** The canonical registry name for Docker Hub in normalised references. */
export const dockerHubRegistry = 'docker.io';

/** The legacy "Docker Index" name, normalised to {@link dockerHubRegistry}. */
export const legacyDockerHubRegistry = 'index.docker.io';

/** Where Docker Hub's registry API actually lives (containerd hosts.go). */
export const dockerHubApiHost = 'registry-1.docker.io';

/** Namespace of Docker Hub's official images. */
const officialRepoPrefix = 'library/';

/** True for any of the names Docker Hub goes by. */
export function isDockerHub(registry: string): boolean {
  return (
    registry === dockerHubRegistry ||
    registry === legacyDockerHubRegistry ||
    registry === dockerHubApiHost
  );
}

/**
 * The host to send registry API requests to. `docker.io` is a name, not a
 * server: containerd maps it to `registry-1.docker.io`. Every other registry
 * is its own API host.
 */
export function registryApiHost(registry: string): string {
  return registry === dockerHubRegistry ? dockerHubApiHost : registry;
}

/**
 * Split a raw reference (tag and digest still attached) into registry and
 * the rest, exactly as `splitDockerDomain` does: the first component names
 * a registry only when it is `localhost`, contains `.` or `:`, or has
 * uppercase letters (repository paths never do). The remainder is not
 * validated here.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) {
    // A single element is always a Docker Hub name, even `localhost:5000`
    // (which reads as the tag 5000 of library/localhost), as upstream does.
    return { domain: dockerHubRegistry, remainder: officialRepoPrefix + name };
  }
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === legacyDockerHubRegistry) {
    domain = dockerHubRegistry;
    remainder = rest;
  } else if (
    first === 'localhost' ||
    first.includes('.') ||
    first.includes(':') ||
    first.toLowerCase() !== first
  ) {
    domain = first;
    remainder = rest;
  } else {
    domain = dockerHubRegistry;
    remainder = name;
  }
  if (domain === dockerHubRegistry && !remainder.includes('/')) {
    remainder = officialRepoPrefix + remainder;
  }
  return { domain, remainder };
}
