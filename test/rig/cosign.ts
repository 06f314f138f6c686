/**
 * Signatures in cosign's formats, made at test time with a key the test
 * makes, and OCI 1.1 referrers, put into a real registry through bmpack's
 * client:
 * - a simple-signing signature as `cosign sign --key` writes it: an OCI
 *   manifest whose one layer (`application/vnd.dev.cosign.simplesigning.v1+json`)
 *   is the payload `{"critical":{"identity":{"docker-reference":…},"image":
 *   {"docker-manifest-digest":…},"type":"cosign container image
 *   signature"},"optional":null}`, signed (ECDSA P-256, SHA-256, DER,
 *   base64) in the `dev.cosignproject.cosign/signature` annotation, under
 *   the tag `sha256-<hex>.sig`;
 * - an attestation as `cosign attest --key` writes it under `.att`: a DSSE
 *   envelope of an in-toto statement, annotated with its `predicateType`;
 * - an artifact with `subject` (an SBOM by default), listed in the
 *   referrers tag schema index at `sha256-<hex>` as oras does without the
 *   referrers API, or by no tag at all.
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

/** A cosign simple-signing signature (`.sig`) of `digest`, as `cosign sign --key` writes it. */
export async function cosignSign(
  client: RegistryClient,
  at: Repo,
  digest: string,
  key: TestKey,
  suffix: 'sig' = 'sig',
  /** The digest the payload claims (default: `digest`): another one makes a swapped signature. */
  claim = digest,
  /** More layer annotations from the payload and its signature (certificate, Rekor bundle). */
  extra: (payload: Buffer, signature: string) => Record<string, string> = () => ({}),
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
  return pushCosignManifest(client, at, tagOf(digest, suffix), payload, {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    annotations: { 'dev.cosignproject.cosign/signature': signature, ...extra(payload, signature) },
  });
}

export const slsaProvenance = 'https://slsa.dev/provenance/v0.2';

/**
 * A cosign attestation (`.att`) of `digest`, as `cosign attest --key`
 * writes it: an in-toto statement in a DSSE envelope (signed over the DSSE
 * pre-authentication encoding), the layer annotated with its predicate type
 * and an empty `dev.cosignproject.cosign/signature`.
 */
export async function cosignAttest(
  client: RegistryClient,
  at: Repo,
  digest: string,
  key: TestKey,
  predicateType = slsaProvenance,
): Promise<Pushed> {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType,
      subject: [
        { name: `${at.registry}/${at.repository}`, digest: { sha256: digest.split(':')[1] } },
      ],
      predicate: { builder: { id: 'https://example.test/builder' } },
    }),
  );
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${statement.length} `),
    statement,
  ]);
  const envelope = Buffer.from(
    JSON.stringify({
      payloadType,
      payload: statement.toString('base64'),
      signatures: [{ keyid: '', sig: sign('sha256', pae, key.privateKey).toString('base64') }],
    }),
  );
  return pushCosignManifest(client, at, tagOf(digest, 'att'), envelope, {
    mediaType: 'application/vnd.dsse.envelope.v1+json',
    annotations: { 'dev.cosignproject.cosign/signature': '', predicateType },
  });
}

/** cosign's manifest for one signature layer: an image config naming the layer, under `tag`. */
async function pushCosignManifest(
  client: RegistryClient,
  at: Repo,
  tag: string,
  layer: Buffer,
  meta: { mediaType: string; annotations: Record<string, string> },
): Promise<Pushed> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      config: {},
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
    }),
  );
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
          mediaType: meta.mediaType,
          size: layer.length,
          digest: await putBlob(client, at, layer),
          annotations: meta.annotations,
        },
      ],
    }),
  );
  await client.putManifest(at, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { tag, digest: sha(manifest) };
}

export interface Subject {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/**
 * An OCI 1.1 artifact whose subject is `subject` (an SBOM by default), put
 * by digest; with `fallbackIndex`, also listed in the referrers tag schema
 * index at `sha256-<hex>` (what oras and cosign do on a registry without
 * the referrers API), keeping the entries there.
 */
export async function attachArtifact(
  client: RegistryClient,
  at: Repo,
  subject: Subject,
  o: {
    artifactType?: string;
    content?: string;
    fallbackIndex?: boolean;
    /** On the manifest and its index entry, as cosign and oras annotate them. */
    annotations?: Record<string, string>;
  } = {},
): Promise<{ index?: Pushed; artifact: string; descriptor: Record<string, unknown> }> {
  const artifactType = o.artifactType ?? 'application/spdx+json';
  const empty = Buffer.from('{}');
  const body = Buffer.from(o.content ?? JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'test' }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        size: 2,
        digest: await putBlob(client, at, empty),
      },
      layers: [
        { mediaType: artifactType, size: body.length, digest: await putBlob(client, at, body) },
      ],
      subject,
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
    }),
  );
  const artifact = sha(manifest);
  await client.putManifest(at, artifact, manifest, 'application/vnd.oci.image.manifest.v1+json');
  const descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: artifact,
    size: manifest.length,
    artifactType,
    ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
  };
  if (o.fallbackIndex === false) return { artifact, descriptor };
  const tag = tagOf(subject.digest, '');
  let existing: unknown[] = [];
  try {
    const m = await client.getManifest({ ...at, tag });
    if (m.manifest.kind === 'index') existing = [...m.manifest.manifests];
  } catch {
    existing = [];
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [...existing, descriptor],
    }),
  );
  await client.putManifest(at, tag, index, 'application/vnd.oci.image.index.v1+json');
  return { index: { tag, digest: sha(index) }, artifact, descriptor };
}
