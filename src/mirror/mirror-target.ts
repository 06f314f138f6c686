/**
 * The private registry seen as containerd's mirror: from
 * `--private-registry HOST[:PORT][/NAMESPACE]` to the endpoint URL nodes
 * use (`https://HOST:PORT/v2/NAMESPACE`, protocols.md §3c), plus the
 * naming rules of containerd's host directories. Pure.
 */
import { BmpackError } from '../errors.js';
import { parsePrivateRegistry, type PrivateRegistry } from '../push/private-registry.js';
import { dockerHubApiHost, dockerHubRegistry, isDockerHub } from '../reference/index.js';

export type MirrorScheme = 'https' | 'http';

export interface MirrorTarget extends PrivateRegistry {
  readonly scheme: MirrorScheme;
  /**
   * The mirror's URL as containerd takes it: `https://HOST:PORT/v2/NAMESPACE`
   * with a namespace (used verbatim with `override_path = true`, and
   * verbatim by the old `registry.mirrors` form), `https://HOST:PORT`
   * without (containerd appends `/v2`).
   */
  readonly endpoint: string;
  /** The path requests go below: `/v2/NAMESPACE` or `/v2`. */
  readonly apiRoot: string;
}

export function mirrorTarget(privateRegistry: string, plainHttp = false): MirrorTarget {
  const pr = parsePrivateRegistry(privateRegistry);
  const scheme: MirrorScheme = plainHttp ? 'http' : 'https';
  const apiRoot = pr.namespace === '' ? '/v2' : `/v2/${pr.namespace}`;
  const endpoint = `${scheme}://${pr.registry}${pr.namespace === '' ? '' : apiRoot}`;
  return { ...pr, scheme, endpoint, apiRoot };
}

/**
 * The upstream a mirrored host falls back to, as containerd names it:
 * docker.io is served by registry-1.docker.io; every other host by itself.
 */
export function upstreamServer(host: string): string {
  return `https://${host === dockerHubRegistry ? dockerHubApiHost : host}`;
}

/**
 * The folder under config_path that containerd reads for `host`. It looks
 * for `HOST_PORT_`, then `HOST:PORT`, then `_default`; bmpack writes the
 * `HOST:PORT` form that containerd's documentation shows.
 */
export function hostDirName(host: string): string {
  return host;
}

/** Every folder name containerd tries for `host`, in its order (hosts.go hostPaths). */
export function hostDirCandidates(host: string): string[] {
  const colon = host.lastIndexOf(':');
  const withPort =
    colon > 0 && !host.endsWith(']') ? [`${host.slice(0, colon)}_${host.slice(colon + 1)}_`] : [];
  return [...withPort, host, '_default'];
}

const hostPattern = /^(?:\[[0-9a-fA-F:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/;

/**
 * A registry host to mirror, as a user writes it (`docker.io`, `quay.io`,
 * `reg.local:5000`), normalised the way image references are (Docker Hub's
 * aliases become docker.io).
 * @throws BmpackError E_USAGE for anything that is not a host[:port].
 */
export function normalizeMirroredHost(input: string): string {
  const host = input.trim().toLowerCase().replace(/\/+$/, '');
  if (/^[a-z]+:\/\//.test(host) || host.includes('/') || !hostPattern.test(host)) {
    throw new BmpackError('E_USAGE', `invalid registry host ${JSON.stringify(input)}`, {
      hint: 'Write registry hosts as HOST[:PORT], comma-separated: docker.io,quay.io,registry.k8s.io (no https://, no path).',
      reason: 'mirrored-host-invalid',
    });
  }
  return isDockerHub(host) ? dockerHubRegistry : host;
}

/** The registry host bmctl always mirrors. */
export const alwaysMirrored = 'gcr.io';
