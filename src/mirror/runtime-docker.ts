/**
 * Docker Engine: `/etc/docker/daemon.json` `registry-mirrors` and the CA as
 * `/etc/docker/certs.d/HOST:PORT/ca.crt` (Docker docs "Configure the daemon"
 * and "Verify repository client with certificates"). Docker consults
 * registry-mirrors for Docker Hub images only, and refuses a mirror URL with
 * a path (moby registry.ValidateMirror: "invalid mirror: path, query, or
 * fragment at end of the URI"), so a namespaced mirror cannot serve it. A
 * plain HTTP or unverified mirror must also be in `insecure-registries`.
 * daemon.json has no place for mirror credentials (runtimeCapabilities). Pure.
 */
import { posix } from 'node:path';
import { BmpackError } from '../errors.js';
import { dockerHubRegistry } from '../reference/index.js';
import {
  treeFile,
  type RuntimeInput,
  type RuntimeNote,
  type RuntimeRendering,
} from './runtime-tree.js';

export const dockerDaemonJson = 'etc/docker/daemon.json';
export const dockerCertsDir = 'etc/docker/certs.d';

export function renderDaemonJson(input: RuntimeInput): string {
  const { target } = input;
  if (target.namespace !== '') {
    throw new BmpackError(
      'E_USAGE',
      `Docker cannot use the mirror ${target.registry}/${target.namespace}: its registry-mirrors take a host without a path, and Docker asks the mirror for /v2/library/<name>, not /v2/${target.namespace}/library/<name>`,
      {
        hint: 'For Docker nodes push to the registry without a namespace and write the configuration for it, or configure another runtime.',
        reason: 'mirror-docker-namespace',
      },
    );
  }
  const insecure = target.scheme === 'http' || input.skipVerify;
  const doc = {
    'registry-mirrors': [`${target.scheme}://${target.registry}`],
    ...(insecure ? { 'insecure-registries': [target.registry] } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function renderDockerTree(input: RuntimeInput): RuntimeRendering {
  const files = [treeFile(dockerDaemonJson, renderDaemonJson(input))];
  if (input.ca !== undefined && input.target.scheme === 'https')
    files.push(treeFile(posix.join(dockerCertsDir, input.target.registry, 'ca.crt'), input.ca));
  const notes: RuntimeNote[] = [];
  const others = input.hosts.filter((h) => h !== dockerHubRegistry);
  notes.push({
    kind: 'docker-hub-only',
    message: `Docker uses registry-mirrors for Docker Hub (docker.io) images only${others.length > 0 ? `: ${others.join(', ')} images are still pulled from their own registries` : ''}`,
  });
  return {
    runtime: 'docker',
    files,
    steps: [
      `Merge daemon.json's keys into /etc/docker/daemon.json on every node (it may hold other settings), and copy ${dockerCertsDir} there.`,
      'Restart dockerd (systemctl restart docker); docker info lists the Registry Mirrors.',
      'Try: docker pull <image of docker.io>.',
    ],
    notes,
  };
}
