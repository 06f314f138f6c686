/**
 * The embedded registry's content (`bmpack serve --root DIR`): an OCI image
 * layout directory that accepts pushes. Blobs and manifests live in the
 * layout's content-addressed blob folder (verified, renamed into place);
 * tags are index.json entries named `REPOSITORY:TAG`, written whole and
 * atomically after each tag, so the directory is always a layout that
 * skopeo, crane and `ctr import` read. What each repository holds is kept
 * in memory as a {@link Catalogue} (rebuilt at start from the tagged
 * images), which the read side answers from.
 *
 * Limits, on purpose: one process; no DELETE and no garbage collection;
 * blobs uploaded but never referenced by a tagged image are forgotten by
 * their repository at restart (a client uploads them again, for free); no
 * referrers API (clients keep the referrers tag schema index instead).
 */
import { mkdir } from 'node:fs/promises';
import { ioError } from '../fs/atomic-file.js';
import { isDigest, type Descriptor } from '../oci/descriptor.js';
import { parseManifest, referencedDescriptors, type AnyManifest } from '../oci/manifest.js';
import { sha256Digest } from '../content/digest.js';
import { BmpackError } from '../errors.js';
import { walkFrom } from '../graph/index.js';
import { LayoutDirSink, LayoutDirSource, anyRepository, layoutBlobs } from '../store/index.js';
import type { BlobCache } from '../cache/blob-cache.js';
import { buildCatalogue, type ServedRepository } from './catalogue.js';

export type ManifestRefusal = {
  readonly status: number;
  readonly code:
    | 'MANIFEST_INVALID'
    | 'MANIFEST_BLOB_UNKNOWN'
    | 'DIGEST_INVALID'
    | 'NAME_INVALID'
    | 'TAG_INVALID'
    | 'SIZE_INVALID';
  readonly message: string;
};

/** distribution-spec "Pulling manifests": `<name>` and `<reference>`. */
const namePattern = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** distribution's default limit on a manifest's size. */
export const maxManifestBytes = 4 * 1024 * 1024;

export class LayoutRegistry {
  readonly store: BlobCache;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly sink: LayoutDirSink,
    readonly catalogue: Map<string, ServedRepository>,
    readonly dir: string,
  ) {
    this.store = layoutBlobs(dir);
  }

  /** Opens (or creates) the layout at `dir` and rebuilds what each repository holds. */
  static async open(dir: string): Promise<LayoutRegistry> {
    await mkdir(dir, { recursive: true }).catch((err: unknown) => {
      throw ioError(err, dir, 'create');
    });
    const sink = await LayoutDirSink.open(dir);
    await sink.close();
    const source = await LayoutDirSource.open(dir);
    const images = await Promise.all(
      source.images.flatMap((i) => {
        const at = i.name.lastIndexOf(':');
        if (at <= 0) return [];
        const repository = i.name.slice(0, at);
        return [
          walkFrom(source, anyRepository, i.descriptor, { name: i.name }).then((graph) => ({
            repository,
            tag: i.name.slice(at + 1),
            graph,
          })),
        ];
      }),
    );
    return new LayoutRegistry(sink, new Map(buildCatalogue(images)), dir);
  }

  static validName(name: string): boolean {
    return name.length <= 255 && namePattern.test(name);
  }

  /** The repository's record, made on first write. */
  repository(name: string): ServedRepository {
    let repo = this.catalogue.get(name);
    if (repo === undefined) {
      repo = { tags: new Map(), manifests: new Map(), blobs: new Map(), referrers: new Map() };
      this.catalogue.set(name, repo);
    }
    return repo;
  }

  /** A blob now in the store, uploaded or mounted into `repository`. */
  linkBlob(repository: string, digest: string, size: number): void {
    this.repository(repository).blobs.set(digest, size);
  }

  /**
   * A manifest PUT, with the checks distribution makes: a valid name and
   * tag, a body that parses as the declared media type, a digest reference
   * that is the body's digest, and every blob and child manifest it lists
   * already in the repository. Undefined when stored (and tagged).
   */
  async putManifest(
    name: string,
    reference: string,
    bytes: Buffer,
    contentType: string | undefined,
  ): Promise<{ digest: string } | ManifestRefusal> {
    const refused = this.checkNames(name, reference) ?? this.checkSize(bytes);
    if (refused !== undefined) return refused;
    const digest = sha256Digest(bytes);
    if (isDigest(reference) && reference !== digest)
      return {
        status: 400,
        code: 'DIGEST_INVALID',
        message: `the manifest's digest is ${digest}, not ${reference}`,
      };
    let manifest: AnyManifest;
    try {
      manifest = parseManifest(bytes, contentType, `${name}:${reference}`);
    } catch (err) {
      return {
        status: 400,
        code: 'MANIFEST_INVALID',
        message: err instanceof Error ? err.message : String(err),
      };
    }
    const repo = this.repository(name);
    const missing = referencedDescriptors(manifest).find((d) => !this.holds(repo, manifest, d));
    if (missing !== undefined)
      return {
        status: 400,
        code: 'MANIFEST_BLOB_UNKNOWN',
        message: `${name} has no ${missing.digest}, which the manifest lists`,
      };
    await this.commit(name, reference, { bytes, digest, mediaType: manifest.mediaType });
    return { digest };
  }

  private checkNames(name: string, reference: string): ManifestRefusal | undefined {
    if (!LayoutRegistry.validName(name))
      return { status: 400, code: 'NAME_INVALID', message: `${name} is not a repository name` };
    const tag: string = reference;
    if (!isDigest(tag) && !tagPattern.test(tag))
      return { status: 400, code: 'TAG_INVALID', message: `${reference} is not a tag` };
    return undefined;
  }

  private checkSize(bytes: Buffer): ManifestRefusal | undefined {
    return bytes.length > maxManifestBytes
      ? { status: 400, code: 'SIZE_INVALID', message: `a manifest over ${maxManifestBytes} bytes` }
      : undefined;
  }

  private holds(repo: ServedRepository, m: AnyManifest, d: Descriptor): boolean {
    return m.kind === 'index' ? repo.manifests.has(d.digest) : repo.blobs.get(d.digest) === d.size;
  }

  /** Stores the manifest, then (tags serialised) names it in index.json. */
  private async commit(
    name: string,
    reference: string,
    m: { bytes: Buffer; digest: string; mediaType: string },
  ): Promise<void> {
    const write = this.writes.then(async () => {
      await this.sink.putManifest(name, reference, m.bytes, m.mediaType);
      if (!isDigest(reference)) await this.sink.close();
    });
    this.writes = write.catch(() => undefined);
    await write;
    const repo = this.repository(name);
    repo.manifests.set(m.digest, { digest: m.digest, mediaType: m.mediaType, bytes: m.bytes });
    if (!isDigest(reference)) repo.tags.set(reference, m.digest);
  }
}

/** A layout directory that cannot be opened as the registry's root. */
export function rootError(dir: string, cause: unknown): BmpackError {
  return new BmpackError('E_BUNDLE_INVALID', `${dir} is not an OCI image layout bmpack can serve`, {
    hint: 'Give an empty or new folder, or one this registry wrote before.',
    cause,
    details: { dir },
  });
}
