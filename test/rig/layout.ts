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

/** A file of the layout: its path in the layout and its bytes. */
export interface LayoutFile {
  path: string;
  data: Buffer;
}

/** The layout's files in the order a tar of it holds them: `oci-layout`, `index.json`, each blob once. */
export function layoutFiles(entries: readonly LayoutEntry[]): LayoutFile[] {
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
  const blobs = new Map<string, Buffer>();
  for (const { image } of entries)
    for (const [digest, data] of blobsOf(image)) blobs.set(digest, data);
  return [
    { path: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { path: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    ...[...blobs].map(([digest, data]) => ({
      path: `blobs/sha256/${digest.slice('sha256:'.length)}`,
      data,
    })),
  ];
}

/** Writes `oci-layout`, `index.json` and every blob under `blobs/sha256/`. */
export async function writeLayout(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const { path, data } of layoutFiles(entries)) {
    const file = join(dir, path);
    // Content-addressed: an existing blob already has these bytes.
    if (!path.startsWith('blobs/') || !(await exists(file))) await writeFile(file, data);
  }
}
