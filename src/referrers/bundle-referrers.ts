/**
 * The referrers by subject a bundle carries, where push put them: from
 * `bmpack.json`'s records (which image each belongs to, which digest it is
 * about) and the mapping of the bundle's names to the target's.
 */
import type { BundleSource } from '../bundle-reader/index.js';
import type { ImageReference } from '../reference/index.js';
import { referrerDescriptor } from './fallback-index.js';
import type { PushedReferrer } from './push-referrers.js';

export async function pushedReferrers(
  source: BundleSource,
  images: ReadonlyArray<{ readonly name: string; readonly target: ImageReference }>,
): Promise<PushedReferrer[]> {
  const links = new Map(
    (source.metadata?.images ?? []).flatMap((i) =>
      i.referrer?.via === 'subject'
        ? [[i.ref, { digest: i.digest, subject: i.referrer.subject }]]
        : [],
    ),
  );
  const found = await Promise.all(
    images.map(async ({ name, target }) => {
      const link = links.get(name);
      if (link === undefined) return [];
      const bytes = await source.readDocument(link.digest);
      return [
        {
          registry: target.registry,
          repository: target.repository,
          subject: link.subject,
          descriptor: referrerDescriptor(bytes, link.digest, `${name} in ${source.path}`),
        },
      ];
    }),
  );
  return found.flat();
}
