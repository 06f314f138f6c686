/**
 * A Docker image manifest, schema 2 (distribution docs/spec/manifest-v2-2.md),
 * for an image of a `docker save` archive, which stores a config and layer
 * files but no manifest. Layers are described as stored: uncompressed tars
 * (classic docker save, skopeo) are pushed as such, gzip'd ones as gzip.
 * The bytes are deterministic: fixed key order (distribution's Go structs:
 * schemaVersion, mediaType, config, layers; mediaType, size, digest) and
 * three-space indentation, as distribution's schema2.FromStruct marshals.
 * Pure.
 */
import { MediaType } from '../oci/media-types.js';

/** Docker's media type for an uncompressed layer tar (manifest-v2-2.md). */
export const dockerLayerTar = 'application/vnd.docker.image.rootfs.diff.tar';

export interface StoredBlob {
  readonly digest: string;
  readonly size: number;
}

export interface StoredLayer extends StoredBlob {
  readonly mediaType: string;
}

/**
 * The media type of a stored layer from its first bytes: gzip (RFC 1952
 * magic 1F 8B) or an uncompressed tar. zstd (RFC 8878 magic 28 B5 2F FD) has
 * no Docker type, so it gets the OCI one.
 */
export function layerMediaType(head: Uint8Array): string {
  if (head[0] === 0x1f && head[1] === 0x8b) return MediaType.dockerLayerGzip;
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
    return MediaType.ociLayerZstd;
  }
  return dockerLayerTar;
}

export function synthesizeDockerManifest(
  config: StoredBlob,
  layers: readonly StoredLayer[],
): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  return Buffer.from(JSON.stringify(manifest, null, 3));
}
