/**
 * Platform lists read from a manifest (`spec.platforms`, an entry's
 * `platforms`): each one parsed and normalised, with the file and line of the
 * bad one in the error and the parse error as the cause.
 */
import { BmpackError } from '../errors.js';
import { formatPlatform, parsePlatform, type PlatformSpec } from '../oci/platform.js';
import { imageSetError } from './image-set-error.js';
import type { SourcePosition } from './image-set.js';

export interface WrittenPlatform {
  readonly text: string;
  readonly at: SourcePosition;
}

/**
 * Parse each platform and drop repeats (after normalisation `linux/arm` and
 * `linux/arm/v7` are one platform, and listing it twice asks for nothing more).
 */
export function parseEntryPlatforms(
  written: readonly WrittenPlatform[],
  entry: string | undefined,
): PlatformSpec[] {
  const out: PlatformSpec[] = [];
  const seen = new Set<string>();
  for (const { text, at } of written) {
    let platform: PlatformSpec;
    try {
      platform = parsePlatform(text);
    } catch (err) {
      if (!(err instanceof BmpackError)) throw err;
      throw imageSetError(at, err.message, {
        entry: entry ?? text,
        hint: err.hint ?? 'Write a platform as os/architecture[/variant], e.g. linux/amd64.',
        cause: err,
      });
    }
    const key = formatPlatform(platform);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(platform);
  }
  return out;
}
