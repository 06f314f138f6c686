/**
 * What a node would do for one image under a runtime's mirror
 * configuration: ask the mirror at some URL, fall back somewhere, with some
 * TLS. Each format's analysis (analysis-*.ts, config-analysis.ts) answers
 * it; `mirror check --config` compares the URL with where push put the
 * image. Pure.
 */
import type { HostConfigStatus } from './config-analysis.js';

export interface ImagePlan {
  readonly status: HostConfigStatus;
  /** The mirror entry as written. */
  readonly endpoint?: string;
  /** The manifest URL the node asks the mirror for. */
  readonly asks?: string;
  readonly fallback?: string;
  readonly tls?: string;
  readonly problems: string[];
  readonly notes: string[];
  /** Absolute paths on the node that must exist (CA files). */
  readonly caFiles: string[];
  /** A CA the runtime looks for by convention (certs.d): without it the system CAs must do. */
  readonly optionalCa?: string;
}

/** The image as a node names it: registry, repository, and the tag or digest it asks for. */
export interface ImageName {
  readonly registry: string;
  readonly repository: string;
  readonly reference: string;
}

export function manifestUrl(apiBase: string, repository: string, reference: string): string {
  return `${apiBase}/${repository}/manifests/${reference}`;
}

/** `HOST:PORT/path` (a registries.conf or Docker location) split into host and path. */
export function splitLocation(location: string): { host: string; path: string } {
  const slash = location.indexOf('/');
  return slash < 0
    ? { host: location, path: '' }
    : { host: location.slice(0, slash), path: location.slice(slash + 1).replace(/\/+$/, '') };
}
