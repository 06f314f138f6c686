/**
 * The platform an image config names (image-spec config.md: `os`,
 * `architecture`, `variant`), for manifests whose descriptor does not say.
 * A config that is not an image config (an artifact's) names none.
 */
import { formatPlatform } from '../oci/platform.js';

/** Configs above this are not image configs: no platform is read from them. */
export const maxConfigBytes = 8 * 1024 * 1024;

/** `os/architecture[/variant]`, or undefined when the bytes are not an image config. */
export function configPlatform(bytes: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { os, architecture, variant } = json as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return formatPlatform({ os, architecture, ...(typeof variant === 'string' ? { variant } : {}) });
}
