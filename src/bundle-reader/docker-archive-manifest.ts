/**
 * `docker save` archives (and skopeo's `docker-archive:`): the top-level
 * `manifest.json` is an array of `{Config, RepoTags, Layers}` whose paths
 * point into the tar (moby image/tarexport; /work/shared/reference/
 * protocols.md §4). Pure.
 */
import { isRecord } from '../oci/descriptor.js';
import { ArchiveFormatError, normalizeTarPath } from '../bundle-format/index.js';

export interface DockerArchiveEntry {
  /** Position in manifest.json, for messages. */
  readonly index: number;
  /** Archive path of the image config. */
  readonly config: string;
  /** `name:tag` references as written; empty when the image was saved by ID. */
  readonly repoTags: readonly string[];
  /** Archive paths of the layers, base first. */
  readonly layers: readonly string[];
}

function path(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ArchiveFormatError(`manifest.json ${where} is not a path`);
  }
  try {
    return normalizeTarPath(value);
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    throw new ArchiveFormatError(`manifest.json ${where}: ${problem}`, { cause: err });
  }
}

/** The entries of a parsed `manifest.json`. */
export function parseDockerArchiveManifest(value: unknown): DockerArchiveEntry[] {
  if (!Array.isArray(value)) throw new ArchiveFormatError('manifest.json is not an array');
  if (value.length === 0) throw new ArchiveFormatError('manifest.json lists no image');
  return value.map((item: unknown, index): DockerArchiveEntry => {
    const where = `[${index}]`;
    if (!isRecord(item)) throw new ArchiveFormatError(`manifest.json ${where} is not an object`);
    const tags = item.RepoTags ?? [];
    if (!Array.isArray(tags) || !tags.every((t): t is string => typeof t === 'string')) {
      throw new ArchiveFormatError(`manifest.json ${where}.RepoTags is not a list of names`);
    }
    const layers = item.Layers;
    if (!Array.isArray(layers)) {
      throw new ArchiveFormatError(`manifest.json ${where}.Layers is not an array`);
    }
    return {
      index,
      config: path(item.Config, `${where}.Config`),
      repoTags: tags,
      layers: layers.map((l: unknown, i) => path(l, `${where}.Layers[${i}]`)),
    };
  });
}
