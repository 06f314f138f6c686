import { expect } from 'chai';
import {
  isArtifactManifest,
  parseManifest,
  referencedDescriptors,
} from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { thrownCode } from '../rig/rejection.js';

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const bytes = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

describe('manifest parsing', () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: d(1), size: 10 },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: d(2), size: 20 }],
  };

  it('parses an OCI manifest and lists config and layers', () => {
    const m = parseManifest(bytes(manifest), MediaType.ociManifest, 'test');
    expect(m.kind).to.equal('manifest');
    expect(referencedDescriptors(m).map((x) => x.digest)).to.deep.equal([d(1), d(2)]);
  });

  it('parses a Docker manifest list with platforms', () => {
    const list = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [
        {
          mediaType: MediaType.dockerManifest,
          digest: d(3),
          size: 5,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
      ],
    };
    const m = parseManifest(bytes(list), undefined, 'test');
    expect(m.kind).to.equal('index');
    expect(m.kind === 'index' ? m.manifests[0]?.platform : undefined).to.deep.equal({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  it('tells an index from a manifest by shape when mediaType is absent', () => {
    const m = parseManifest(bytes({ schemaVersion: 2, manifests: [] }), undefined, 'test');
    expect(m.mediaType).to.equal(MediaType.ociIndex);
  });

  it('refuses schema 1 with its own code', () => {
    expect(
      thrownCode(() =>
        parseManifest(bytes({ schemaVersion: 1, name: 'x', fsLayers: [] }), undefined, 't'),
      ),
    ).to.equal('E_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body whose mediaType differs from the Content-Type', () => {
    expect(
      thrownCode(() => parseManifest(bytes(manifest), MediaType.dockerManifest, 't')),
    ).to.equal('E_MANIFEST_INVALID');
  });

  it('refuses invalid JSON, a bad digest and a negative size', () => {
    expect(thrownCode(() => parseManifest(Buffer.from('{'), undefined, 't'))).to.equal(
      'E_MANIFEST_INVALID',
    );
    const badDigest = { ...manifest, layers: [{ mediaType: 'x', digest: 'sha256:abc', size: 1 }] };
    expect(thrownCode(() => parseManifest(bytes(badDigest), undefined, 't'))).to.equal(
      'E_MANIFEST_INVALID',
    );
    const badSize = { ...manifest, layers: [{ mediaType: 'x', digest: d(4), size: -1 }] };
    expect(thrownCode(() => parseManifest(bytes(badSize), undefined, 't'))).to.equal(
      'E_MANIFEST_INVALID',
    );
  });
});

describe('artifacts among manifests', () => {
  const manifest = (extra: Record<string, unknown>, configType: string) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...extra,
        config: { mediaType: configType, digest: `sha256:${'a'.repeat(64)}`, size: 2 },
        layers: [],
      }),
    );
  const parse = (bytes: Buffer) => {
    const m = parseManifest(bytes, undefined, 'test');
    if (m.kind !== 'manifest') throw new Error('expected a manifest');
    return m;
  };

  it('tells an image from a Helm chart and an OCI 1.1 artifact, and keeps artifactType', () => {
    const image = parse(manifest({}, 'application/vnd.oci.image.config.v1+json'));
    const helm = parse(manifest({}, 'application/vnd.cncf.helm.config.v1+json'));
    const artifact = parse(
      manifest({ artifactType: 'application/x.sbom' }, 'application/vnd.oci.empty.v1+json'),
    );
    expect([image, helm, artifact].map(isArtifactManifest)).to.deep.equal([false, true, true]);
    expect(artifact.artifactType).to.equal('application/x.sbom');
  });
});
