/**
 * Sigstore bundles as cosign v3 writes them for an image (cosign
 * specs/BUNDLE_SPEC.md), made at test time with keys and a CA the test
 * makes, and the trust material to check them offline:
 * - the bundle (`application/vnd.dev.sigstore.bundle.v0.3+json`): a DSSE
 *   envelope of an in-toto statement whose predicateType is
 *   `https://sigstore.dev/cosign/sign/v1` and whose subject is the image
 *   digest, signed over the DSSE pre-authentication encoding, with a
 *   public-key hint or the signing certificate; built with the sigstore
 *   project's own `@sigstore/bundle`;
 * - optionally a transparency-log entry of a test log (kind dsse 0.0.1), with
 *   its inclusion promise (the signed entry timestamp over the canonical
 *   JSON of body, integratedTime, logID and logIndex) and an inclusion proof
 *   in a one-leaf tree (RFC 6962 leaf hash) with a signed checkpoint note;
 * - the OCI 1.1 referrer: artifactType and layer of the bundle media type,
 *   the empty config, `subject`, and cosign's annotations, listed in the
 *   referrers tag schema index on a registry without the referrers API;
 * - a trusted_root.json (protobuf-specs TrustedRoot) naming the test CA and
 *   the test log.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleToJSON, toDSSEBundle, toMessageSignatureBundle } from '@sigstore/bundle';
import type { RegistryClient } from '../../src/registry/client.js';
import { attachArtifact, type Subject, type TestKey } from './cosign.js';
import { runTool } from './processes.js';
import { requireTool } from './tools.js';

export const bundleMediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const signPredicate = 'https://sigstore.dev/cosign/sign/v1';
const inToto = 'application/vnd.in-toto+json';
const logName = 'rekor.bmpack.test';

export interface TestLog {
  readonly privateKey: KeyObject;
  readonly publicKeyDer: Buffer;
  readonly logId: Buffer;
}

export function makeLog(): TestLog {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyDer, logId: createHash('sha256').update(publicKeyDer).digest() };
}

export interface TestCertificate {
  readonly caDer: Buffer;
  readonly leafDer: Buffer;
  readonly privateKey: KeyObject;
}

/**
 * A CA and a leaf certificate as Fulcio issues one: the identity as an email
 * SAN, the OIDC issuer in extension 1.3.6.1.4.1.57264.1.8 (a UTF8String),
 * code signing usage.
 */
export async function makeCertificate(
  dir: string,
  identity: string,
  issuer: string,
): Promise<TestCertificate> {
  const openssl = requireTool('openssl', 'openssl');
  const f = (n: string): string => join(dir, n);
  // prettier-ignore
  await runTool(openssl, ['req', '-x509', '-new', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', f('fulcio.key'), '-out', f('fulcio.crt'), '-days', '2', '-subj', '/O=bmpack test/CN=fulcio',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await writeFile(
    f('leaf.ext'),
    [
      `subjectAltName=critical,email:${identity}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=codeSigning',
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${issuer}`,
      '',
    ].join('\n'),
  );
  // prettier-ignore
  await runTool(openssl, ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/O=bmpack test']);
  // prettier-ignore
  await runTool(openssl, ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('fulcio.crt'), '-CAkey', f('fulcio.key'),
    '-CAcreateserial', '-days', '1', '-extfile', f('leaf.ext'), '-out', f('leaf.crt')]);
  return {
    caDer: pemToDer(await readFile(f('fulcio.crt'), 'utf8')),
    leafDer: pemToDer(await readFile(f('leaf.crt'), 'utf8')),
    privateKey: createPrivateKey(await readFile(f('leaf.key'), 'utf8')),
  };
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export interface BundleOptions {
  /** Sign with this key (a public-key hint) … */
  readonly key?: TestKey;
  /** … or with this certificate's key (the certificate in the bundle). */
  readonly certificate?: TestCertificate;
  /** Add an entry of this transparency log. */
  readonly log?: TestLog;
  /** The digest the statement claims (default: the subject's): another makes a swapped signature. */
  readonly claim?: string;
  readonly predicateType?: string;
  /** Flip a byte of the signed entry timestamp and of the checkpoint signature. */
  readonly badLogProof?: boolean;
}

/**
 * A message-signature bundle over `artifact` (here an image manifest's bytes),
 * as `cosign sign-blob --new-bundle-format --key` writes one.
 */
export function signMessageBundle(artifact: Buffer, key: TestKey): Buffer {
  const bundle = toMessageSignatureBundle({
    digest: createHash('sha256').update(artifact).digest(),
    signature: sign('sha256', artifact, key.privateKey),
    keyHint: '',
  });
  return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
}

/** A Sigstore bundle (JSON bytes) signing `digest` as cosign v3 signs an image. */
export function signBundle(digest: string, o: BundleOptions): Buffer {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256: (o.claim ?? digest).split(':')[1] } }],
      predicateType: o.predicateType ?? signPredicate,
      predicate: {},
    }),
  );
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${inToto.length} ${inToto} ${statement.length} `),
    statement,
  ]);
  const privateKey = o.certificate?.privateKey ?? o.key?.privateKey;
  if (privateKey === undefined) throw new Error('signBundle: give a key or a certificate');
  const signature = sign('sha256', pae, privateKey);
  const bundle = toDSSEBundle({
    artifact: statement,
    artifactType: inToto,
    signature,
    ...(o.certificate !== undefined ? { certificate: o.certificate.leafDer } : { keyHint: '' }),
  });
  const json = bundleToJSON(bundle) as { verificationMaterial: { tlogEntries: unknown[] } };
  if (o.log !== undefined)
    json.verificationMaterial.tlogEntries = [logEntry(o.log, statement, signature, o)];
  return Buffer.from(JSON.stringify(json));
}

/** A dsse 0.0.1 entry of the test log, with its inclusion promise and a one-leaf inclusion proof. */
function logEntry(log: TestLog, payload: Buffer, signature: Buffer, o: BundleOptions): unknown {
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        payloadHash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(payload).digest('hex'),
        },
        signatures: [{ signature: signature.toString('base64'), verifier: '' }],
      },
    }),
  );
  const integratedTime = Math.floor(Date.now() / 1000);
  // The SET signs the canonical JSON (sorted keys) of what rekor returned.
  const promised = `{"body":"${body.toString('base64')}","integratedTime":${integratedTime},"logID":"${log.logId.toString('hex')}","logIndex":0}`;
  const set = corrupt(sign('sha256', Buffer.from(promised), log.privateKey), o.badLogProof);
  const root = createHash('sha256')
    .update(Buffer.from([0]))
    .update(body)
    .digest();
  const note = `${logName} - 1\n1\n${root.toString('base64')}\n`;
  const noteSig = corrupt(sign('sha256', Buffer.from(note), log.privateKey), o.badLogProof);
  const checkpoint = `${note}\n\u2014 ${logName} ${Buffer.concat([log.logId.subarray(0, 4), noteSig]).toString('base64')}\n`;
  return {
    logIndex: '0',
    logId: { keyId: log.logId.toString('base64') },
    kindVersion: { kind: 'dsse', version: '0.0.1' },
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
    inclusionProof: {
      logIndex: '0',
      rootHash: root.toString('base64'),
      treeSize: '1',
      hashes: [],
      checkpoint: { envelope: checkpoint },
    },
    canonicalizedBody: body.toString('base64'),
  };
}

function corrupt(b: Buffer, yes: boolean | undefined): Buffer {
  if (yes === true) b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 0xff;
  return b;
}

/** A trusted_root.json naming the test CA and/or the test log. */
export function trustedRoot(o: { certificate?: TestCertificate; log?: TestLog }): string {
  const validFor = { start: '2020-01-01T00:00:00Z' };
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs:
      o.log !== undefined
        ? [
            {
              baseUrl: `https://${logName}`,
              hashAlgorithm: 'SHA2_256',
              publicKey: {
                rawBytes: o.log.publicKeyDer.toString('base64'),
                keyDetails: 'PKIX_ECDSA_P256_SHA_256',
                validFor,
              },
              logId: { keyId: o.log.logId.toString('base64') },
            },
          ]
        : [],
    certificateAuthorities:
      o.certificate !== undefined
        ? [
            {
              subject: { organization: 'bmpack test', commonName: 'fulcio' },
              uri: 'https://fulcio.bmpack.test',
              certChain: { certificates: [{ rawBytes: o.certificate.caDer.toString('base64') }] },
              validFor,
            },
          ]
        : [],
    ctlogs: [],
    timestampAuthorities: [],
  });
}

/**
 * The bundle put into the registry as cosign v3 does: an OCI 1.1 referrer of
 * `subject` (annotated with the bundle's content and predicate type), listed
 * in the referrers tag schema index `sha256-<hex>`.
 */
export async function attachBundle(
  client: RegistryClient,
  at: { registry: string; repository: string },
  subject: Subject,
  bundle: Buffer,
  predicateType = signPredicate,
): Promise<{ artifact: string }> {
  const { artifact } = await attachArtifact(client, at, subject, {
    artifactType: bundleMediaType,
    content: bundle.toString('utf8'),
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': predicateType,
      'org.opencontainers.image.created': '2026-12-05T00:00:00Z',
    },
  });
  return { artifact };
}

/**
 * The annotations cosign 2 adds to a tag-stored signature layer when it
 * uploads to Rekor: `dev.sigstore.cosign/bundle` (the hashedrekord 0.0.1
 * entry and its signed entry timestamp) and, keyless, the certificate and
 * chain in PEM. `verifier` is the PEM the entry names (key or certificate).
 */
export function rekorAnnotations(o: {
  log?: TestLog;
  certificate?: TestCertificate;
  publicKeyPem?: string;
  badLogProof?: boolean;
}): (payload: Buffer, signature: string) => Record<string, string> {
  return (payload, signature) => {
    const verifier =
      o.certificate !== undefined ? derToPem(o.certificate.leafDer) : (o.publicKeyPem ?? '');
    const out: Record<string, string> = {};
    if (o.certificate !== undefined) {
      out['dev.sigstore.cosign/certificate'] = verifier;
      out['dev.sigstore.cosign/chain'] = derToPem(o.certificate.caDer);
    }
    if (o.log === undefined) return out;
    const body = Buffer.from(
      JSON.stringify({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: {
            hash: {
              algorithm: 'sha256',
              value: createHash('sha256').update(payload).digest('hex'),
            },
          },
          signature: {
            content: signature,
            publicKey: { content: Buffer.from(verifier).toString('base64') },
          },
        },
      }),
    );
    const integratedTime = Math.floor(Date.now() / 1000);
    const logID = o.log.logId.toString('hex');
    const promised = `{"body":"${body.toString('base64')}","integratedTime":${integratedTime},"logID":"${logID}","logIndex":7}`;
    const set = corrupt(sign('sha256', Buffer.from(promised), o.log.privateKey), o.badLogProof);
    out['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: set.toString('base64'),
      Payload: { body: body.toString('base64'), integratedTime, logIndex: 7, logID },
    });
    return out;
  };
}

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A certificate's key as a {@link TestKey}, to sign as keyless cosign does. */
export function certificateKey(c: TestCertificate): TestKey {
  return { privateKey: c.privateKey, publicKeyPem: derToPem(c.leafDer) };
}
