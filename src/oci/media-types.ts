/**
 * Media types of the OCI image spec (v1.1, media-types.md) and their Docker
 * counterparts (distribution's manifest-v2-2.md).
 */

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/**
 * What we send in Accept for every manifest GET and HEAD. distribution 2.8
 * negotiates on Accept: without the OCI types it answers 404 for OCI content,
 * and without the Docker types it down-converts schema2 to schema1.
 */
export const manifestAccept: readonly string[] = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
];

export type ManifestMediaType =
  | typeof MediaType.ociManifest
  | typeof MediaType.ociIndex
  | typeof MediaType.dockerManifest
  | typeof MediaType.dockerManifestList;

export function isManifestMediaType(value: string): value is ManifestMediaType {
  return manifestAccept.includes(value);
}

/** An index (OCI) or manifest list (Docker): a manifest of manifests. */
export function isIndexMediaType(value: string): boolean {
  return value === MediaType.ociIndex || value === MediaType.dockerManifestList;
}

/** Docker image manifest schema 1: deprecated, unsupported by bmpack. */
export function isSchema1MediaType(value: string): boolean {
  return value === MediaType.dockerSchema1 || value === MediaType.dockerSchema1Signed;
}

/** The media type without parameters (`; charset=…`), lower-cased. */
export function baseMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * A container image's config, as opposed to an artifact's (a Helm chart's
 * `application/vnd.cncf.helm.config.v1+json`, the empty config of OCI 1.1
 * artifacts): only image configs name a platform.
 */
export function isImageConfigMediaType(value: string): boolean {
  return value === MediaType.ociConfig || value === MediaType.dockerConfig;
}
