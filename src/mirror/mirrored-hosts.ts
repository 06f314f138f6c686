/**
 * Which registries the mirror stands in for: those named with --hosts, or
 * those a bundle's images come from, always with gcr.io (as bmctl does).
 * Pure.
 */
import { BmpackError } from '../errors.js';
import { listedReference } from '../reference/index.js';
import { alwaysMirrored, normalizeMirroredHost } from './mirror-target.js';

/** `['a,b', 'c']` (as `--hosts a,b --hosts c` gives them) → normalised hosts, in the order given, without repeats. */
export function hostsFromFlag(values: readonly string[]): string[] {
  const hosts = values
    .flatMap((v) => v.split(','))
    .map((h) => h.trim())
    .filter((h) => h !== '')
    .map(normalizeMirroredHost);
  if (hosts.length === 0) {
    throw new BmpackError('E_USAGE', 'the host list names no registry host', {
      hint: 'Name registry hosts, e.g. docker.io,quay.io (gcr.io is always included).',
      reason: 'mirrored-hosts-empty',
    });
  }
  return [...new Set(hosts)];
}

/**
 * The registry of every image name as push maps it: full references by
 * their registry (docker.io for Docker Hub names), bare tags as
 * `fallbackRepository:TAG` (so docker.io). Sorted, without repeats.
 */
export function hostsFromImageNames(
  names: readonly string[],
  fallbackRepository: string,
): string[] {
  const hosts = new Set<string>();
  for (const name of names) hosts.add(listedReference(name, fallbackRepository).ref.registry);
  return [...hosts].sort();
}

/** `hosts` plus gcr.io, sorted, without repeats and without the mirror itself. */
export function mirroredHosts(
  hosts: readonly string[],
  mirrorRegistry: string,
): {
  hosts: string[];
  skipped: string[];
} {
  const all = [...new Set([...hosts, alwaysMirrored])].sort();
  return {
    hosts: all.filter((h) => h !== mirrorRegistry),
    skipped: all.filter((h) => h === mirrorRegistry),
  };
}
