/**
 * containerd's hosts.toml (and so the config.toml and bmctl forms that
 * point at it) sends `HOST/PATH:TAG` to `MIRROR/v2/NAMESPACE/PATH/…`: it
 * keeps every path (containerd docs/hosts.md, "override_path"). A push
 * that rewrote or folded paths put some images where such a node will not
 * look, so the configuration is refused rather than written wrong. Pure.
 */
import { BmpackError } from '../errors.js';
import type { PrivateRegistry } from '../push/private-registry.js';
import { identityMapping, isIdentity, type PathMapping } from '../push/repository-paths.js';
import { mapImages, type NamedImage } from '../push/target-mapping.js';

/** Throws when `mapping` moves any of `images` (all of them, when unknown) off its own path. */
export function refuseMovedPaths(
  images: readonly NamedImage[] | undefined,
  to: PrivateRegistry,
  fallbackRepository: string,
  mapping: PathMapping,
): void {
  if (isIdentity(mapping)) return;
  if (images === undefined) {
    throw refusal(
      'containerd mirror configuration cannot follow rewritten or folded repository paths, and without a bundle bmpack cannot tell whether they change any image',
    );
  }
  const kept = mapImages(images, to, fallbackRepository, identityMapping).images;
  const mapped = mapImages(images, to, fallbackRepository, mapping).images;
  const moved = mapped.filter((m, i) => m.target.repository !== kept[i]?.target.repository);
  if (moved.length === 0) return;
  throw refusal(
    `containerd mirror configuration keeps every image's path, and the mapping moves ${moved.length} of ${mapped.length} images: ${describe(moved, mapped, kept)}`,
  );
}

function describe(
  moved: ReturnType<typeof mapImages>['images'],
  mapped: ReturnType<typeof mapImages>['images'],
  kept: ReturnType<typeof mapImages>['images'],
): string {
  const shown = moved.slice(0, 3).map((m) => {
    const asked = kept[mapped.indexOf(m)]?.target.repository ?? '?';
    return `${m.source} is pushed to ${m.target.repository} but asked for at ${asked}`;
  });
  return `${shown.join('; ')}${moved.length > 3 ? `; and ${moved.length - 3} more` : ''}`;
}

function refusal(message: string): BmpackError {
  return new BmpackError('E_USAGE', message, {
    hint: 'Push with the full paths to a registry that takes them, or configure a runtime that can map paths (registries.conf, registries.yaml) by hand.',
    reason: 'mirror-paths-not-expressible',
  });
}

/**
 * Each repository of `images` under `mapping`: its source name, where the
 * mirror has it, and whether the mapping moved it from where a path-keeping
 * mirror would have it.
 */
export function mappedRepositories(
  images: readonly NamedImage[],
  to: PrivateRegistry,
  fallbackRepository: string,
  mapping: PathMapping,
): Array<{ source: string; mirror: string; moved: boolean }> {
  const kept = mapImages(images, to, fallbackRepository, identityMapping).images;
  const mapped = mapImages(images, to, fallbackRepository, mapping).images;
  const out = new Map<string, { source: string; mirror: string; moved: boolean }>();
  mapped.forEach((m, i) => {
    const source = `${m.from.registry}/${m.from.repository}`;
    const moved = m.target.repository !== kept[i]?.target.repository;
    out.set(source, { source, mirror: `${to.registry}/${m.target.repository}`, moved });
  });
  return [...out.values()];
}
