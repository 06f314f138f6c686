/**
 * Writes the demo's images as a tar of an OCI image layout (image-spec
 * image-layout.md), each named by `org.opencontainers.image.ref.name`, which
 * `bmpack push images` reads like any other bundle: the demo seeds its
 * "public" registry with bmpack itself, so it needs no skopeo.
 */
import { writeFile } from 'node:fs/promises';
import { blobsOf, MediaTypes } from '../rig/image-generator.js';
import { writeTar, type TarEntry } from '../rig/tar-writer.js';
import type { DemoImage } from './demo-images.js';

function layoutIndex(images: readonly DemoImage[]): Buffer {
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.oci.index,
    manifests: images.map(({ name, item }) => ({
      mediaType: item.mediaType,
      digest: item.manifestDigest,
      size: item.manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': name },
    })),
  };
  return Buffer.from(JSON.stringify(index));
}

function blobEntries(images: readonly DemoImage[]): TarEntry[] {
  const blobs = new Map<string, Buffer>();
  for (const { item } of images)
    for (const [digest, data] of blobsOf(item)) blobs.set(digest, data);
  return [...blobs].map(([digest, data]) => ({
    name: `blobs/sha256/${digest.slice('sha256:'.length)}`,
    data,
  }));
}

/** Writes `file`: `oci-layout`, `index.json` and every blob once. */
export async function writeSeedArchive(file: string, images: readonly DemoImage[]): Promise<void> {
  const tar = writeTar([
    { name: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { name: 'index.json', data: layoutIndex(images) },
    { name: 'blobs/' },
    { name: 'blobs/sha256/' },
    ...blobEntries(images),
  ]);
  await writeFile(file, tar);
}
