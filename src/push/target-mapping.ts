/**
 * Where each image of a bundle goes: `REGISTRY/PATH:TAG` becomes
 * `HOST:PORT/NAMESPACE/PATH:TAG` — the source registry is dropped and the
 * path kept (docker.io names keep `library/`), which is the layout
 * containerd expects of a mirror with override_path. Digest-only images
 * are pushed by digest. Pure.
 */
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { formatReference, type ImageReference, listedReference } from '../reference/index.js';
import type { PrivateRegistry } from './private-registry.js';
import {
  checkMapping,
  identityMapping,
  targetRepository,
  type PathMapping,
} from './repository-paths.js';

export interface NamedImage {
  readonly name: string;
  readonly descriptor: Descriptor;
}

export interface MappedImage {
  /** The name as the bundle gives it. */
  readonly name: string;
  /** Normalised source reference, for messages. */
  readonly source: string;
  /** The same, parsed. */
  readonly from: ImageReference;
  readonly descriptor: Descriptor;
  readonly target: ImageReference;
}

export interface MappingResult {
  readonly images: readonly MappedImage[];
  readonly warnings: readonly string[];
}

export function targetReference(
  source: ImageReference,
  to: PrivateRegistry,
  mapping: PathMapping = identityMapping,
): ImageReference {
  const { repository } = targetRepository(source, to.namespace, mapping);
  return {
    registry: to.registry,
    repository,
    ...(source.tag !== undefined ? { tag: source.tag } : {}),
    ...(source.digest !== undefined ? { digest: source.digest } : {}),
  };
}

/** Map every image; fails before anything is pushed when two differ at one target. */
export function mapImages(
  images: readonly NamedImage[],
  to: PrivateRegistry,
  fallbackRepository: string,
  mapping: PathMapping = identityMapping,
): MappingResult {
  checkMapping(mapping, to.namespace);
  const warnings: string[] = [];
  const byTarget = new Map<string, MappedImage>();
  const folds = new FoldCheck();
  const out: MappedImage[] = [];
  for (const image of images) {
    const { ref, bareTag } = listedReference(image.name, fallbackRepository);
    if (bareTag)
      warnings.push(
        `image "${image.name}" is named by a tag only; pushing it as ${fallbackRepository}:${image.name}`,
      );
    const target = targetReference(ref, to, mapping);
    folds.add(formatReference(ref), targetRepository(ref, to.namespace, mapping));
    const key = formatReference({
      ...target,
      ...(target.tag !== undefined ? { digest: undefined } : {}),
    });
    const mapped: MappedImage = {
      name: image.name,
      source: formatReference(ref),
      from: ref,
      descriptor: image.descriptor,
      target,
    };
    const earlier = byTarget.get(key);
    if (earlier !== undefined) {
      if (earlier.descriptor.digest === image.descriptor.digest) continue;
      throw new BmpackError(
        'E_TARGET_CONFLICT',
        `${earlier.source} and ${mapped.source} would both be pushed as ${key}, with different content (${earlier.descriptor.digest} and ${image.descriptor.digest})`,
        {
          hint: 'A mirror keeps paths but not registry hosts. Push them to different namespaces (run push twice with different private registry namespaces), or drop one of them from the bundle.',
          reason: 'target-paths-collide',
          details: { target: key, first: earlier.source, second: mapped.source },
        },
      );
    }
    byTarget.set(key, mapped);
    out.push(mapped);
  }
  return { images: out, warnings };
}

/**
 * Folding must not merge what the rewrite kept apart: `a/b-c` and `a-b/c`
 * both fold to `a-b-c` at depth 1, and one repository would then hold the
 * tags of both.
 */
class FoldCheck {
  private readonly seen = new Map<string, { unfolded: string; source: string }>();

  add(source: string, t: { repository: string; unfolded: string }): void {
    const earlier = this.seen.get(t.repository);
    if (earlier === undefined) {
      this.seen.set(t.repository, { unfolded: t.unfolded, source });
      return;
    }
    if (earlier.unfolded === t.unfolded) return;
    throw new BmpackError(
      'E_TARGET_CONFLICT',
      `${earlier.source} (${earlier.unfolded}) and ${source} (${t.unfolded}) both fold into the repository ${t.repository}`,
      {
        hint: 'Allow deeper repository names, or rewrite one of the two prefixes so that they stay apart.',
        reason: 'folded-paths-collide',
        details: { repository: t.repository, first: earlier.source, second: source },
      },
    );
  }
}
