/**
 * Ask the target what it already has: HEAD every blob and manifest of
 * every image in its target repository, and every tag, concurrently.
 */
import type pLimit from 'p-limit';
import type { RegistryClient } from '../registry/client.js';
import type { PlannedImage, TargetState } from './push-plan.js';
import { stateKey } from './push-plan.js';

export async function readTargetState(
  client: RegistryClient,
  images: readonly PlannedImage[],
  limit: ReturnType<typeof pLimit>,
): Promise<TargetState> {
  const blobs = new Set<string>();
  const manifests = new Set<string>();
  const tags = new Map<string, string>();
  const asked = new Set<string>();
  const jobs: Array<Promise<void>> = [];
  const once = (key: string, job: () => Promise<void>): void => {
    if (asked.has(key)) return;
    asked.add(key);
    jobs.push(limit(job));
  };
  for (const { image, closure } of images) {
    const registry = image.target.registry;
    const repository = image.target.repository;
    const repo = { registry, repository };
    for (const b of closure.blobs) {
      const key = stateKey(repository, b.digest);
      once(`b ${key}`, async () => {
        if ((await client.headBlob(repo, b.digest)) === b.size) blobs.add(key);
      });
    }
    for (const d of closure.documents) {
      const key = stateKey(repository, d.digest);
      once(`m ${key}`, async () => {
        if ((await client.headManifest({ registry, repository, digest: d.digest })) !== undefined)
          manifests.add(key);
      });
    }
    const tag = image.target.tag;
    if (tag !== undefined) {
      once(`t ${repository}:${tag}`, async () => {
        const found = await client.headManifest({ registry, repository, tag });
        if (found !== undefined) tags.set(`${repository}:${tag}`, found.digest);
      });
    }
  }
  await Promise.all(jobs);
  return { blobs, manifests, tags };
}
