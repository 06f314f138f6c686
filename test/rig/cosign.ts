/**
 * Signatures in cosign's formats, made at test time with a key the test
 * makes, and an OCI 1.1 referrer with its referrers-tag-schema index, put
 * into a real registry through bmpack's client:
 * - a simple-signing signature as cosign writes it: an OCI manifest whose
 *   one layer (`application/vnd.dev.cosign.simplesigning.v1+json`) is the
 *   payload `{"critical":{"identity":{"docker-reference":…},"image":
 *   {"docker-manifest-digest":…},"type":"cosign container image
 *   signature"},"optional":null}`, signed (ECDSA P-256, SHA-256, DER,
 *   base64) in the `dev.cosignproject.cosign/signature` annotation, under
 *   the tag `sha256-<hex>.sig` (`.att` for an attestation);
 * - an SBOM artifact with `subject`, listed in the index at `sha256-<hex>`.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RegistryClient } from '../../src/registry/client.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const tagOf = (digest: string, suffix: string): string =>
  `${digest.replace(':', '-')}${suffix === '' ? '' : `.${suffix}`}`;

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

export function makeKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

interface Pushed {
  readonly tag: string;
  readonly digest: string;
}

async function putBlob(client: RegistryClient, at: Repo, bytes: Buffer): Promise<string> {
  const digest = sha(bytes);
  await client.uploadBlob(
    at,
    { mediaType: 'application/octet-stream', digest, size: bytes.length },
    () => Readable.from([bytes]),
  );
  return digest;
}

interface Repo {
  readonly registry: string;
  readonly repository: string;
}

/** A cosign simple-signing signature (`.sig`) or attestation-shaped one (`.att`) of `digest`. */
export async function cosignSign(
  client: RegistryClient,
  at: Repo,
  digest: string,
  key: TestKey,
  suffix: 'sig' | 'att' = 'sig',
  /** The digest the payload claims (default: `digest`): another one makes a swapped signature. */
  claim = digest,
): Promise<Pushed> {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': `${at.registry}/${at.repository}` },
        image: { 'docker-manifest-digest': claim },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const signature = sign('sha256', payload, key.privateKey).toString('base64');
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      config: {},
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: [sha(payload)] },
    }),
  );
  const layerType =
    suffix === 'sig'
      ? 'application/vnd.dev.cosign.simplesigning.v1+json'
      : 'application/vnd.dsse.envelope.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        size: config.length,
        digest: await putBlob(client, at, config),
      },
      layers: [
        {
          mediaType: layerType,
          size: payload.length,
          digest: await putBlob(client, at, payload),
          annotations: { 'dev.cosignproject.cosign/signature': signature },
        },
      ],
    }),
  );
  const tag = tagOf(digest, suffix);
  await client.putManifest(at, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { tag, digest: sha(manifest) };
}

/** An SBOM artifact whose subject is `subject`, listed in the referrers tag schema index. */
export async function attachSbom(
  client: RegistryClient,
  at: Repo,
  subject: { digest: string; size: number; mediaType: string },
): Promise<{ index: Pushed; artifact: string }> {
  const empty = Buffer.from('{}');
  const sbom = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'test' }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/spdx+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        size: 2,
        digest: await putBlob(client, at, empty),
      },
      layers: [
        {
          mediaType: 'application/spdx+json',
          size: sbom.length,
          digest: await putBlob(client, at, sbom),
        },
      ],
      subject,
    }),
  );
  const artifact = sha(manifest);
  await client.putManifest(at, artifact, manifest, 'application/vnd.oci.image.manifest.v1+json');
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: artifact,
          size: manifest.length,
          artifactType: 'application/spdx+json',
        },
      ],
    }),
  );
  const tag = tagOf(subject.digest, '');
  await client.putManifest(at, tag, index, 'application/vnd.oci.image.index.v1+json');
  return { index: { tag, digest: sha(index) }, artifact };
}
