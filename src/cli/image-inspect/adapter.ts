/** The whole of `bmpack image inspect`, behind its command. */
import type { ImageInspection } from '../../image/inspect-image.js';
import { inspectRemoteImage as inspect } from '../../image/inspect-remote.js';
import { parseReference } from '../../reference/index.js';
import { clientSetup, hostOptionsFromFlags } from '../client-options.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export async function inspectRemoteImage(
  image: string,
  flags: RegistryFlagValues,
): Promise<{ inspection: ImageInspection; warnings: readonly string[] }> {
  const setup = await clientSetup(parseReference(image).registry, flags);
  const inspection = await inspect({
    image,
    host: hostOptionsFromFlags(flags),
    ...(setup.options.credentials ? { credentials: setup.options.credentials } : {}),
  });
  return { inspection, warnings: setup.warnings };
}
