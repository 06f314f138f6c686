/**
 * Ask the target what it already has, concurrently: first every tag; an
 * image whose tag already names its digest is whole there (a registry takes
 * a manifest only when the blobs and child manifests it lists exist —
 * distribution-spec "Pushing Manifests", MANIFEST_BLOB_UNKNOWN — and never
 * collects referenced content), so its closure needs no further requests.
 * For every other image, HEAD each blob and manifest in its repository.
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
  const tags = await readTags(client, images, limit);
  const blobs = new Set<string>();
  const manifests = new Set<string>();
  const jobs: Array<Promise<void>> = [];
  const asked = new Set<string>();
  const ask = (key: string, job: () => Promise<void>): void => {
    if (asked.has(key)) return;
    asked.add(key);
    jobs.push(limit(job));
  };
  for (const { image, closure } of images) {
    const { registry, repository, tag } = image.target;
    const repo = { registry, repository };
    if (tag !== undefined && tags.get(`${repository}:${tag}`) === image.descriptor.digest) {
      for (const b of closure.blobs) blobs.add(stateKey(repository, b.digest));
      for (const d of closure.documents) manifests.add(stateKey(repository, d.digest));
      continue;
    }
    for (const b of closure.blobs) {
      const key = stateKey(repository, b.digest);
      ask(`b ${key}`, async () => {
        if ((await client.headBlob(repo, b.digest)) === b.size) blobs.add(key);
      });
    }
    for (const d of closure.documents) {
      const key = stateKey(repository, d.digest);
      ask(`m ${key}`, async () => {
        if ((await client.headManifest({ registry, repository, digest: d.digest })) !== undefined)
          manifests.add(key);
      });
    }
  }
  await Promise.all(jobs);
  return { blobs, manifests, tags };
}

async function readTags(
  client: RegistryClient,
  images: readonly PlannedImage[],
  limit: ReturnType<typeof pLimit>,
): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  const seen = new Set<string>();
  const jobs: Array<Promise<void>> = [];
  for (const { image } of images) {
    const { registry, repository, tag } = image.target;
    if (tag === undefined || seen.has(`${repository}:${tag}`)) continue;
    seen.add(`${repository}:${tag}`);
    jobs.push(
      limit(async () => {
        const found = await client.headManifest({ registry, repository, tag });
        if (found !== undefined) tags.set(`${repository}:${tag}`, found.digest);
      }),
    );
  }
  await Promise.all(jobs);
  return tags;
}
