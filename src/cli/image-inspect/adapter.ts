/** The whole of `bmpack image inspect`, behind its command. */
import { inspectImage, type ImageInspection } from '../../image/inspect-image.js';
import { parseReference } from '../../reference/index.js';
import { RegistryClient } from '../../registry/client.js';
import { clientSetup } from '../client-options.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export async function inspectRemoteImage(
  image: string,
  flags: RegistryFlagValues,
): Promise<{ inspection: ImageInspection; warnings: readonly string[] }> {
  const ref = parseReference(image);
  const setup = await clientSetup(ref.registry, flags);
  const client = new RegistryClient(setup.options);
  try {
    return { inspection: await inspectImage(client, ref), warnings: setup.warnings };
  } finally {
    await client.close();
  }
}
