/**
 * Which images `image copy` moves, and where each goes. Pure.
 *
 * - From a registry: the one image the reference names.
 * - From a bundle or layout: the image named after the path, else every
 *   image when `all` is asked, else the only one it holds.
 * - To a registry: the reference given, for one image; for several, the
 *   destination is HOST[:PORT][/NAMESPACE] and each image keeps its path
 *   and tag under it, as `push images` maps them.
 * - To a layout: the name given, else the image's own full reference.
 */
import { BmpackError } from '../errors.js';
import type { CopyRequest } from '../copy/index.js';
import type { PlatformSpec } from '../oci/platform.js';
import { mapImages } from '../push/target-mapping.js';
import { parsePrivateRegistry } from '../push/private-registry.js';
import {
  formatReference,
  parseReference,
  type ImageReference,
  fallbackRepository,
  formatImageLocation,
  listedReference,
  type ImageLocation,
} from '../reference/index.js';
import { type ListedImage } from '../store/index.js';

export interface RequestPlan {
  readonly requests: readonly CopyRequest[];
  /** The registry written to, for a registry destination. */
  readonly registry?: string;
  readonly warnings: readonly string[];
}

export interface RequestOptions {
  readonly all: boolean;
  readonly platforms?: readonly PlatformSpec[];
}

type Local = Extract<ImageLocation, { transport: 'oci' | 'bundle' }>;

/** One image chosen in the source, named as a reference. */
interface Chosen {
  readonly name: string;
  readonly from: ImageReference;
  readonly listed?: ListedImage;
}

export function copyRequests(
  src: ImageLocation,
  dst: ImageLocation,
  listed: readonly ListedImage[],
  o: RequestOptions,
): RequestPlan {
  if (dst.transport === 'bundle')
    throw usage(
      `${formatImageLocation(dst)}: a bundle is read only here`,
      'Write bundles with bundle create; copy into a registry (docker://) or a layout (oci:).',
    );
  const chosen = src.transport === 'docker' ? [fromRegistry(src, o)] : fromLocal(src, listed, o);
  const plan: RequestPlan =
    dst.transport === 'oci'
      ? { requests: chosen.map((c) => toLayout(c, dst, chosen.length)), warnings: [] }
      : o.all && src.transport !== 'docker'
        ? toNamespace(chosen, dst.reference, fallbackRepository(src.path))
        : toReference(chosen, dst.reference);
  if (o.platforms === undefined) return plan;
  const platforms = o.platforms;
  return { ...plan, requests: plan.requests.map((r) => ({ ...r, platforms })) };
}

/** One image to the reference given. */
function toReference(chosen: readonly Chosen[], reference: string): RequestPlan {
  const [only] = chosen;
  if (only === undefined || chosen.length > 1) throw internal('one image');
  const to = parseReference(reference);
  if (to.tag === undefined || to.digest !== undefined)
    throw usage(
      `docker://${reference}: name the destination by tag`,
      'The digest follows from what is copied: write docker://REGISTRY/REPOSITORY:TAG.',
    );
  const request = requestOf(only, formatReference(to), { repository: to.repository, tag: to.tag });
  return { requests: [request], registry: to.registry, warnings: [] };
}

/** The registries a copy talks to (for per-registry settings and credentials). */
export function copyRegistries(
  src: ImageLocation,
  dst: ImageLocation,
  all: boolean,
): { readonly source?: string; readonly destination?: string } {
  return {
    ...(src.transport === 'docker' ? { source: parseReference(src.reference).registry } : {}),
    ...(dst.transport === 'docker'
      ? {
          destination: all
            ? parsePrivateRegistry(dst.reference).registry
            : parseReference(dst.reference).registry,
        }
      : {}),
  };
}

function fromRegistry(
  src: Extract<ImageLocation, { transport: 'docker' }>,
  o: RequestOptions,
): Chosen {
  if (o.all)
    throw usage(
      `docker://${src.reference} names one image`,
      'Copying every image needs a source that lists them: bundle:FILE or oci:DIR.',
    );
  const from = parseReference(src.reference);
  return { name: formatReference(from), from };
}

function fromLocal(src: Local, listed: readonly ListedImage[], o: RequestOptions): Chosen[] {
  const fallback = fallbackRepository(src.path);
  const named = (i: ListedImage): Chosen => ({
    name: i.name,
    from:
      i.name === ''
        ? { registry: '', repository: fallback }
        : listedReference(i.name, fallback).ref,
    listed: i,
  });
  if (src.name !== undefined) {
    if (o.all)
      throw usage(
        `${formatImageLocation(src)} names one image`,
        'Drop the name to copy every image.',
      );
    return [named(findListed(src, listed, src.name, fallback))];
  }
  if (o.all) return listed.map(named);
  const [only] = listed;
  if (only === undefined || listed.length > 1)
    throw usage(
      `${formatImageLocation(src)} holds ${listed.length} images`,
      `Name one after the path (${src.transport}:${src.path}:NAME), or copy them all.`,
    );
  return [named(only)];
}

/** By its name as written, else as a reference (`nginx:1` finds docker.io/library/nginx:1). */
function findListed(
  src: Local,
  listed: readonly ListedImage[],
  name: string,
  fallback: string,
): ListedImage {
  const exact = listed.find((i) => i.name === name);
  if (exact !== undefined) return exact;
  const wanted = formatReference(parseReference(name));
  const found = listed.find(
    (i) => i.name !== '' && formatReference(listedReference(i.name, fallback).ref) === wanted,
  );
  if (found !== undefined) return found;
  throw new BmpackError('E_NOT_FOUND', `${formatImageLocation(src)}: no image is named ${name}`, {
    hint: `It holds: ${listed
      .map((i) => i.name || '(unnamed)')
      .slice(0, 10)
      .join(', ')}.`,
    details: { image: name, source: src.path },
  });
}

function toLayout(c: Chosen, dst: Local, count: number): CopyRequest {
  if (dst.name !== undefined) {
    if (count > 1)
      throw usage(
        `${formatImageLocation(dst)} names one image`,
        'Drop the name: each image keeps its own.',
      );
    return requestOf(c, dst.name, { repository: '', tag: dst.name });
  }
  const { registry, repository, tag } = c.from;
  if (tag === undefined)
    throw usage(
      `${c.name} has no tag to name it by in ${formatImageLocation(dst)}`,
      `Name it: oci:${dst.path}:NAME.`,
    );
  const path = registry === '' ? repository : `${registry}/${repository}`;
  return requestOf(c, `${path}:${tag}`, { repository: path, tag });
}

function toNamespace(
  chosen: readonly Chosen[],
  destination: string,
  fallback: string,
): RequestPlan {
  const target = parsePrivateRegistry(destination);
  const named = chosen.flatMap((c) => (c.listed !== undefined ? [c.listed] : []));
  if (named.some((i) => i.name === ''))
    throw usage(
      `an image in the source has no name to push it by`,
      'Copy it alone, naming the destination: docker://REGISTRY/REPOSITORY:TAG.',
    );
  const mapping = mapImages(named, target, fallback);
  const requests = mapping.images.map((m) =>
    requestOf(
      { name: m.source, from: m.from, listed: { name: m.name, descriptor: m.descriptor } },
      formatReference(m.target),
      {
        repository: m.target.repository,
        ...(m.target.tag !== undefined ? { tag: m.target.tag } : {}),
      },
    ),
  );
  return { requests, registry: target.registry, warnings: mapping.warnings };
}

function requestOf(c: Chosen, name: string, to: CopyRequest['to']): CopyRequest {
  return {
    name,
    sourceName: c.name || formatReference(c.from),
    from: c.from,
    ...(c.listed !== undefined ? { top: c.listed.descriptor } : {}),
    to,
  };
}

function usage(message: string, hint: string): BmpackError {
  return new BmpackError('E_USAGE', message, { hint });
}

function internal(what: string): BmpackError {
  return new BmpackError('E_INTERNAL', `image copy: expected ${what}`, {
    hint: 'This is a bug in bmpack: please report it.',
  });
}
