/**
 * What reference an image a store lists by name stands for. Archives write
 * names three ways: a full reference (`gcr.io/x/y:1`), a path with a tag
 * (`library/nginx:1.25`), or a bare tag (`1.25`, the image-spec's own
 * meaning of `org.opencontainers.image.ref.name`). Pure.
 */
import { basename } from 'node:path';
import type { ImageReference } from './image-reference.js';
import { parseReference } from './parse-reference.js';

/**
 * A name without '/', ':' or '@' is a bare tag; its repository comes from
 * `fallbackRepository`.
 */
export function listedReference(
  name: string,
  fallbackRepository: string,
): { ref: ImageReference; bareTag: boolean } {
  if (!/[/:@]/.test(name)) {
    return { ref: parseReference(`${fallbackRepository}:${name}`), bareTag: true };
  }
  return { ref: parseReference(name), bareTag: false };
}

/**
 * The repository for images a bundle names by a bare tag: the bundle's file
 * name (`nginx.tar.xz` → `nginx`), as `skopeo copy … oci-archive:nginx.tar:1.25` suggests.
 */
export function fallbackRepository(path: string): string {
  const name = basename(path)
    .replace(/\.(tar\.xz|txz|tar)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
  return name.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'image';
}
