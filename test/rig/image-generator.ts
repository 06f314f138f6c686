/**
 * Deterministic test images: the same options always produce the same bytes
 * and digests (seeded PRNG, fixed tar metadata, fixed timestamps). Layers are
 * real gzip'd tar files, configs are real image configs, so anything that
 * unpacks or validates them works. Docker-format manifests are indented like
 * the docker CLI writes them and OCI ones are compact like buildkit's, so a
 * client that re-serialises JSON changes the digest and gets caught.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mulberry32, randomBuffer } from './prng.js';
import { writeTar } from './tar-writer.js';

/** Manifest flavour: OCI image-spec or Docker schema2. */
export type ImageFormat = 'oci' | 'docker';

/** Platform of an image (also its entry in an index). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Media types by format. */
export const MediaTypes = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

/** A compressed layer blob. */
export interface GeneratedLayer {
  digest: string;
  size: number;
  /** The gzip'd tar bytes (the blob). */
  data: Buffer;
  /** Digest of the uncompressed tar (the config's rootfs diff_id). */
  diffId: string;
}

/** An image manifest with its config and layers. */
export interface GeneratedImage {
  kind: 'image';
  format: ImageFormat;
  platform: Platform;
  manifest: Buffer;
  manifestDigest: string;
  mediaType: string;
  config: Buffer;
  configDigest: string;
  layers: GeneratedLayer[];
}

/** A multi-platform OCI index or Docker manifest list. */
export interface GeneratedIndex {
  kind: 'index';
  format: ImageFormat;
  manifest: Buffer;
  manifestDigest: string;
  mediaType: string;
  images: GeneratedImage[];
}

/** Options of {@link makeImage}. */
export interface ImageOptions {
  seed: number;
  /** Number of own layers (after any shared ones). */
  layers: number;
  /** Bytes of pseudo-random file content per own layer (the blob is slightly larger). */
  layerSize: number;
  format: ImageFormat;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Layer blobs (gzip'd tars, e.g. another image's `layers[i].data`) to put first, for shared-blob tests. */
  sharedLayers?: Buffer[];
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function layerFromBlob(data: Buffer): GeneratedLayer {
  return {
    digest: sha256Digest(data),
    size: data.length,
    data,
    diffId: sha256Digest(gunzipSync(data)),
  };
}

/**
 * One layer: a directory and a file of `size` pseudo-random bytes, both named
 * after the seed and index so layers from different seeds never collide.
 */
export function makeLayer(seed: number, index: number, size: number): GeneratedLayer {
  // Mix the index into the seed so each layer has its own stream.
  const next = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const dir = `bmpack-test-${seed}/`;
  const tar = writeTar([
    { name: dir },
    { name: `${dir}layer-${index}.bin`, data: randomBuffer(next, size) },
  ]);
  // Node's gzip writes mtime 0 and a fixed OS byte, so the output is stable.
  return layerFromBlob(gzipSync(tar, { level: 6 }));
}

function platformJson(platform: Platform): Record<string, string> {
  // Field order as in docker manifest lists; variant only when set.
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
  };
}

function serialise(format: ImageFormat, value: unknown): Buffer {
  return Buffer.from(format === 'docker' ? JSON.stringify(value, null, 3) : JSON.stringify(value));
}

/** Makes one image manifest with its config and layers. */
export function makeImage(options: ImageOptions): GeneratedImage {
  const { seed, format } = options;
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const types = MediaTypes[format];
  const layers = [
    ...(options.sharedLayers ?? []).map(layerFromBlob),
    ...Array.from({ length: options.layers }, (_, i) => makeLayer(seed, i, options.layerSize)),
  ];
  const created = '1970-01-01T00:00:00Z';
  const config = Buffer.from(
    JSON.stringify({
      created,
      ...platformJson(platform),
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: ['/bin/true'],
        Labels: { 'org.bmpack.test.seed': String(seed) },
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created, created_by: `bmpack rig layer ${i}` })),
    }),
  );
  const configDigest = sha256Digest(config);
  const manifest = serialise(format, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: types.layer, digest: l.digest, size: l.size })),
  });
  return {
    kind: 'image',
    format,
    platform,
    manifest,
    manifestDigest: sha256Digest(manifest),
    mediaType: types.manifest,
    config,
    configDigest,
    layers,
  };
}

/** Makes an OCI image index or Docker manifest list over `images`. */
export function makeIndex(images: readonly GeneratedImage[], format: ImageFormat): GeneratedIndex {
  const mediaType = MediaTypes[format].index;
  const manifest = serialise(format, {
    schemaVersion: 2,
    mediaType,
    manifests: images.map((image) => ({
      mediaType: image.mediaType,
      digest: image.manifestDigest,
      size: image.manifest.length,
      platform: platformJson(image.platform),
    })),
  });
  return {
    kind: 'index',
    format,
    manifest,
    manifestDigest: sha256Digest(manifest),
    mediaType,
    images: [...images],
  };
}

/** Every blob of an image or index (manifests included), by digest. */
export function blobsOf(item: GeneratedImage | GeneratedIndex): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  blobs.set(item.manifestDigest, item.manifest);
  const images = item.kind === 'index' ? item.images : [item];
  for (const image of images) {
    blobs.set(image.manifestDigest, image.manifest);
    blobs.set(image.configDigest, image.config);
    for (const layer of image.layers) blobs.set(layer.digest, layer.data);
  }
  return blobs;
}
