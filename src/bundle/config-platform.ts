/**
 * The platform an image config names (image-spec config.md: `os`,
 * `architecture`, `variant`). The config blob is fetched into the cache,
 * where the bundle needs it anyway, and read from there.
 */
import type { Descriptor } from '../oci/descriptor.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { RepositoryRef } from '../registry/endpoint.js';
import type { BlobFetcher } from './blob-fetcher.js';

const maxConfigBytes = 8 * 1024 * 1024;

export async function readConfigPlatform(
  fetcher: BlobFetcher,
  repo: RepositoryRef,
  config: Descriptor,
): Promise<PlatformSpec | undefined> {
  if (config.size > maxConfigBytes) return undefined;
  await fetcher.ensure(repo, config);
  const chunks: Buffer[] = [];
  for await (const c of fetcher.cache.open(config.digest)) chunks.push(c as Buffer);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined; // not an image config (an artifact): no platform to report
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { os, architecture, variant } = json as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return { os, architecture, ...(typeof variant === 'string' ? { variant } : {}) };
}
