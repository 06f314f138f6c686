/** The whole of `bmpack image inspect`, behind its command. */
import type { ImageInspection } from '../../image/inspect-image.js';
import { inspectRemoteImage as inspect } from '../../image/inspect-remote.js';
import { parseReference } from '../../reference/index.js';
import { hostOptionsFor } from '../../registry/http/host-options.js';
import { clientSetup } from '../client-options.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export async function inspectRemoteImage(
  image: string,
  flags: RegistryFlagValues,
): Promise<{ inspection: ImageInspection; warnings: readonly string[] }> {
  const { registry } = parseReference(image);
  const setup = await clientSetup(registry, flags);
  const inspection = await inspect({
    image,
    host: hostOptionsFor(setup.hosts, registry),
    credentials: setup.credentials,
  });
  return { inspection, warnings: setup.warnings };
}
