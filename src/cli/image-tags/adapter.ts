/** `bmpack image tags` behind its command. */
import { listRepositoryTags, type TagList } from '../../image/list-tags.js';
import { parseReference } from '../../reference/index.js';
import { hostOptionsFor } from '../../registry/http/host-options.js';
import { clientSetup } from '../client-options.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export async function runImageTags(
  repository: string,
  flags: RegistryFlagValues,
): Promise<TagList & { warnings: readonly string[] }> {
  const { registry } = parseReference(repository);
  const setup = await clientSetup(registry, flags);
  const list = await listRepositoryTags({
    repository,
    host: hostOptionsFor(setup.hosts, registry),
    credentials: setup.credentials,
  });
  return { ...list, warnings: setup.warnings };
}
