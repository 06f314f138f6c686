/**
 * Writes generated images as an OCI image layout (image-spec image-layout.md),
 * the form skopeo's `oci:` transport reads.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  blobsOf,
  MediaTypes,
  type GeneratedImage,
  type GeneratedIndex,
} from './image-generator.js';

/** One `index.json` entry: a ref name and what it points to. */
export interface LayoutEntry {
  /** Stored as `org.opencontainers.image.ref.name` (what `oci:DIR:REF` selects). */
  ref: string;
  image: GeneratedImage | GeneratedIndex;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `oci-layout`, `index.json` and every blob under `blobs/sha256/`. */
export async function writeLayout(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  for (const { image } of entries) {
    for (const [digest, data] of blobsOf(image)) {
      const file = join(blobDir, digest.slice('sha256:'.length));
      // Content-addressed: an existing file already has these bytes.
      if (!(await exists(file))) await writeFile(file, data);
    }
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.oci.index,
    manifests: entries.map(({ ref, image }) => ({
      mediaType: image.mediaType,
      digest: image.manifestDigest,
      size: image.manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': ref },
    })),
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
