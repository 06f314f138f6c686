/**
 * A bundle's images, read the way `push images` reads them, so that the
 * mirror's hosts and paths match what push wrote.
 */
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import { fallbackRepository } from '../reference/index.js';

/** Opens the bundle, runs `fn`, and closes it whatever happens. */
export async function withBundle<T>(
  path: string,
  fn: (source: BundleSource, fallbackRepository: string) => Promise<T>,
): Promise<T> {
  const source = await openBundleSource(path);
  try {
    return await fn(source, fallbackRepository(source.path));
  } finally {
    await source.close();
  }
}
