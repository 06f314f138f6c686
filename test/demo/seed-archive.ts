/**
 * Writes the demo's images as a tar of an OCI image layout (image-spec
 * image-layout.md), each named by `org.opencontainers.image.ref.name`, which
 * `bmpack push images` reads like any other bundle: the demo seeds its
 * "public" registry with bmpack itself, so it needs no skopeo.
 */
import { writeFile } from 'node:fs/promises';
import { layoutFiles } from '../rig/layout.js';
import { writeTar } from '../rig/tar-writer.js';
import type { DemoImage } from './demo-images.js';

/** Writes `file`: `oci-layout`, `index.json` and every blob once. */
export async function writeSeedArchive(file: string, images: readonly DemoImage[]): Promise<void> {
  const files = layoutFiles(images.map(({ name, item }) => ({ ref: name, image: item })));
  const entry = ({ path, data }: { path: string; data: Buffer }) => ({ name: path, data });
  const tar = writeTar([
    ...files.filter((f) => !f.path.startsWith('blobs/')).map(entry),
    { name: 'blobs/' },
    { name: 'blobs/sha256/' },
    ...files.filter((f) => f.path.startsWith('blobs/')).map(entry),
  ]);
  await writeFile(file, tar);
}
