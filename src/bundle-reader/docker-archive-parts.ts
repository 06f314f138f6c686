/**
 * A `docker save` archive as a source: each manifest.json entry becomes a
 * Docker schema 2 manifest made here (docker-manifest-synthesis.ts) over the
 * config and layer files as stored, addressed by the sha256 of each file;
 * each RepoTag names one image. Layer files may be symbolic links to
 * another layer's file: classic docker save links a layer it has already
 * written (moby image/tarexport/save.go) rather than store it twice.
 */
import pLimit from 'p-limit';
import { MediaType } from '../oci/media-types.js';
import { sha256Digest } from '../content/digest.js';
import { bundleInvalid, internalError } from './archive-errors.js';
import { ArchiveFormatError } from '../bundle-format/index.js';
import type { SourceImage } from './bundle-source.js';
import { parseDockerArchiveManifest, type DockerArchiveEntry } from './docker-archive-manifest.js';
import { layerMediaType, synthesizeDockerManifest } from './docker-manifest-synthesis.js';
import type { EntryTable } from './entry-table.js';
import { entryDigest, type EntryDigest } from './entry-digest.js';
import { requiredDocument } from './layout-documents.js';
import type { BlobLocation } from './tar-bundle-source.js';
import type { TarRangeReader } from './tar-range-reader.js';
import type { ScannedEntry } from './tar-scanner.js';

/** Files hashed at once when a plain tar has to be read for it. */
const hashConcurrency = 4;

export interface DockerArchiveParts {
  readonly images: readonly SourceImage[];
  readonly blobs: ReadonlyMap<string, BlobLocation>;
  readonly synthesized: ReadonlyMap<string, Buffer>;
}

export async function dockerArchiveParts(
  table: EntryTable,
  reader: TarRangeReader,
  file: string,
): Promise<DockerArchiveParts> {
  let entries: DockerArchiveEntry[];
  try {
    entries = parseDockerArchiveManifest(requiredDocument(table, 'manifest.json', file));
  } catch (err) {
    if (!(err instanceof ArchiveFormatError)) throw err;
    throw bundleInvalid(file, err, { entry: 'manifest.json' });
  }
  const resolve = (path: string, entry: DockerArchiveEntry, field: string): ScannedEntry => {
    const found = table.resolveFile(path);
    if (found === undefined) {
      throw bundleInvalid(
        file,
        `manifest.json [${entry.index}] ${field} ${JSON.stringify(path)} is not a file in the archive`,
        { entry: path },
      );
    }
    return found;
  };
  const resolved = entries.map((entry) => {
    if (entry.repoTags.length === 0) {
      throw bundleInvalid(
        file,
        `manifest.json [${entry.index}] (config ${entry.config}) has no RepoTags: the image has no name to push it under`,
        {
          entry: 'manifest.json',
          hint: 'Save images by name, not by ID: `docker save NAME:TAG -o FILE` or `skopeo copy SRC docker-archive:FILE:NAME:TAG`.',
        },
      );
    }
    return {
      entry,
      config: resolve(entry.config, entry, 'Config'),
      layers: entry.layers.map((l, i) => resolve(l, entry, `Layers[${i}]`)),
    };
  });
  const digests = await digestAll(
    resolved.flatMap((r) => [r.config, ...r.layers]),
    reader,
  );
  const blobs = new Map<string, BlobLocation>();
  for (const [e, d] of [...digests].sort(([a], [b]) => a.dataOffset - b.dataOffset)) {
    if (blobs.has(d.digest)) continue;
    blobs.set(d.digest, {
      size: e.size,
      dataOffset: e.dataOffset,
      ...(e.document !== undefined ? { document: e.document } : {}),
    });
  }
  const synthesized = new Map<string, Buffer>();
  const images: SourceImage[] = [];
  for (const r of resolved) {
    const fact = (e: ScannedEntry): EntryDigest => {
      const d = digests.get(e);
      if (d === undefined) throw internalError(file, `${e.rawPath} was not hashed`);
      return d;
    };
    const manifest = synthesizeDockerManifest(
      { digest: fact(r.config).digest, size: r.config.size },
      r.layers.map((l) => ({
        digest: fact(l).digest,
        size: l.size,
        mediaType: layerMediaType(fact(l).head),
      })),
    );
    const digest = sha256Digest(manifest);
    synthesized.set(digest, manifest);
    const descriptor = { mediaType: MediaType.dockerManifest, digest, size: manifest.length };
    for (const name of r.entry.repoTags) images.push({ name, descriptor });
  }
  return { images, blobs, synthesized };
}

/** Each distinct entry hashed once. */
async function digestAll(
  entries: readonly ScannedEntry[],
  reader: TarRangeReader,
): Promise<Map<ScannedEntry, EntryDigest>> {
  const distinct = [...new Set(entries)].sort((a, b) => a.dataOffset - b.dataOffset);
  // A sequential reader wants ranges in order, one at a time.
  const limit = pLimit(reader.randomAccess ? hashConcurrency : 1);
  const results = await Promise.all(
    distinct.map((e) => limit(async () => [e, await entryDigest(e, reader)] as const)),
  );
  return new Map(results);
}
