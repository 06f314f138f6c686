/**
 * Non-image OCI content, as registries hold it next to images: a Helm chart
 * in OCI form (helm's own media types) and a generic OCI 1.1 artifact
 * (`artifactType`, the empty config). Shaped as a GeneratedImage so that the
 * rig's layout writer and skopeo seeding take them as they are.
 */
import { sha256Digest } from '../../src/content/digest.js';
import { makeLayer, MediaTypes, type GeneratedImage } from './image-generator.js';

export function makeHelmChart(seed: number): GeneratedImage {
  const config = Buffer.from(
    JSON.stringify({ name: `chart-${seed}`, version: '1.0.0', apiVersion: 'v2' }),
  );
  return artifact({
    config,
    configMediaType: 'application/vnd.cncf.helm.config.v1+json',
    layerMediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
    seed,
  });
}

export function makeGenericArtifact(seed: number): GeneratedImage {
  return artifact({
    // image-spec manifest.md "Guidance for an Empty Descriptor".
    config: Buffer.from('{}'),
    configMediaType: 'application/vnd.oci.empty.v1+json',
    layerMediaType: 'application/vnd.bmpack.test.blob',
    artifactType: 'application/vnd.bmpack.test.artifact',
    seed,
  });
}

interface ArtifactParts {
  readonly config: Buffer;
  readonly configMediaType: string;
  readonly layerMediaType: string;
  readonly artifactType?: string;
  readonly seed: number;
}

function artifact(p: ArtifactParts): GeneratedImage {
  const layer = makeLayer(p.seed, 0, 2000);
  const configDigest = sha256Digest(p.config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.oci.manifest,
      ...(p.artifactType !== undefined ? { artifactType: p.artifactType } : {}),
      config: { mediaType: p.configMediaType, digest: configDigest, size: p.config.length },
      layers: [{ mediaType: p.layerMediaType, digest: layer.digest, size: layer.size }],
    }),
  );
  return {
    kind: 'image',
    format: 'oci',
    platform: { os: 'unknown', architecture: 'unknown' },
    manifest,
    manifestDigest: sha256Digest(manifest),
    mediaType: MediaTypes.oci.manifest,
    config: p.config,
    configDigest,
    layers: [layer],
  };
}
