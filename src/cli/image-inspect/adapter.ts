/** The whole of `bmpack image inspect`, behind its command. */
import type { InspectedImage } from '../../image/inspect-image.js';
import { inspectRemoteImage as inspect } from '../../image/inspect-remote.js';
import { parsePlatform } from '../../oci/platform.js';
import { parseReference } from '../../reference/index.js';
import { hostOptionsFor } from '../../registry/http/host-options.js';
import { clientSetup } from '../client-options.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export interface ImageInspectFlags extends RegistryFlagValues {
  readonly platform?: string | undefined;
}

export async function inspectRemoteImage(
  image: string,
  flags: ImageInspectFlags,
): Promise<InspectedImage & { warnings: readonly string[] }> {
  const { registry } = parseReference(image);
  const setup = await clientSetup(registry, flags);
  const inspected = await inspect({
    image,
    host: hostOptionsFor(setup.hosts, registry),
    credentials: setup.credentials,
    ...(flags.platform !== undefined ? { platform: parsePlatform(flags.platform) } : {}),
  });
  return { ...inspected, warnings: setup.warnings };
}
