/**
 * Where a registry's API lives, and the URL paths of the
 * distribution-spec endpoints (end-1 … end-13).
 */
import { registryApiHost } from '../reference/index.js';

/** A repository on a registry: `{registry: 'gcr.io', repository: 'foo/bar'}`. */
export interface RepositoryRef {
  readonly registry: string;
  readonly repository: string;
}

export function apiBaseUrl(registry: string, scheme: 'http' | 'https'): URL {
  return new URL(`${scheme}://${registryApiHost(registry)}`);
}

export function manifestPath(repo: RepositoryRef, reference: string): string {
  return `/v2/${repo.repository}/manifests/${reference}`;
}

export function blobPath(repo: RepositoryRef, digest: string): string {
  return `/v2/${repo.repository}/blobs/${digest}`;
}

export function uploadsPath(repo: RepositoryRef): string {
  return `/v2/${repo.repository}/blobs/uploads/`;
}

/** `registry/repository`, for messages. */
export function repoName(repo: RepositoryRef): string {
  return `${repo.registry}/${repo.repository}`;
}
