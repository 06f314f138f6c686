/**
 * containerd's hosts.toml (and so the config.toml and bmctl forms that
 * point at it) sends `HOST/PATH:TAG` to `MIRROR/v2/NAMESPACE/PATH/…`: it
 * keeps every path (containerd docs/hosts.md, "override_path"); Docker's
 * registry-mirrors takes no path at all. A push that rewrote or folded
 * paths put some images where such a node will not look, so the
 * configuration is refused rather than written wrong. registries.conf and
 * registries.yaml can send each repository to its place
 * (runtimeCapabilities canExpressPathRewrite), but only for repositories
 * they are told of: without the bundle they are refused too. Pure.
 */
import { BmpackError } from '../errors.js';
import type { PrivateRegistry } from '../push/private-registry.js';
import { identityMapping, isIdentity, type PathMapping } from '../push/repository-paths.js';
import { mapImages, type NamedImage } from '../push/target-mapping.js';
import type { MirrorRuntime } from './runtime-tree.js';

/** The runtimes whose mirror files keep every image's path. */
export type PathKeepingRuntime = Extract<
  MirrorRuntime,
  'containerd' | 'containerd2' | 'docker' | 'bmctl'
>;

/** Each path-keeping runtime's file, in the refusal's words. */
const keptBy: Readonly<Record<PathKeepingRuntime, string>> = {
  containerd: "containerd's hosts.toml (runtime containerd)",
  containerd2: "containerd 2.x's hosts.toml (runtime containerd2)",
  docker: "Docker's registry-mirrors (runtime docker)",
  bmctl: "bmctl's registryMirrors, which configures containerd's hosts.toml (runtime bmctl)",
};

/** Whether `runtime`'s files keep every path (runtimeCapabilities canExpressPathRewrite is false). */
export function keepsPaths(runtime: MirrorRuntime): runtime is PathKeepingRuntime {
  return Object.hasOwn(keptBy, runtime);
}

/** The runtimes that can write a mapping, for hints. */
const expressible = 'crio, podman, k3s and rke2 (registries.conf, registries.yaml)';

/** Throws when `mapping` moves any of `images` (all of them, when unknown) off its own path. */
export function refuseMovedPaths(
  images: readonly NamedImage[] | undefined,
  to: PrivateRegistry,
  fallbackRepository: string,
  mapping: PathMapping,
  runtime: PathKeepingRuntime,
): void {
  if (isIdentity(mapping)) return;
  if (images === undefined) {
    throw refusal(
      `${keptBy[runtime]} cannot follow rewritten or folded repository paths, and without a bundle bmpack cannot tell whether they change any image`,
      runtime,
    );
  }
  const kept = mapImages(images, to, fallbackRepository, identityMapping).images;
  const mapped = mapImages(images, to, fallbackRepository, mapping).images;
  const moved = mapped.filter((m, i) => m.target.repository !== kept[i]?.target.repository);
  if (moved.length === 0) return;
  throw refusal(
    `${keptBy[runtime]} keeps every image's path, and the mapping moves ${moved.length} of ${mapped.length} images: ${describe(moved, mapped, kept)}`,
    runtime,
    moved.map((m) => m.source),
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

function refusal(message: string, runtime: string, images?: readonly string[]): BmpackError {
  return new BmpackError('E_USAGE', message, {
    hint: `Write the configuration for ${expressible}, whose files can send moved repositories to their place, or push with the full paths to a registry that takes them.`,
    reason: 'mirror-paths-not-expressible',
    details: { runtime, ...(images !== undefined ? { images } : {}) },
  });
}

/**
 * A runtime that can express a mapping writes one entry per repository of
 * the bundle: without the bundle it cannot tell which repositories move.
 */
export function mappingNeedsBundle(runtime: MirrorRuntime): BmpackError {
  return new BmpackError(
    'E_USAGE',
    `writing a push path mapping for ${runtime} needs the bundle that was pushed: its repositories are written one by one, where push put each`,
    {
      hint: 'Name the bundle that was pushed, with the same path mapping as the push.',
      reason: 'mirror-paths-need-bundle',
      details: { runtime },
    },
  );
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
