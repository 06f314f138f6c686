/**
 * A Sigstore bundle that signs an image (cosign v3, sigstore-js), checked
 * offline with the sigstore project's own verifier (`@sigstore/verify`).
 *
 * cosign stores an image signature as an OCI 1.1 referrer whose one layer is
 * the bundle (cosign specs/BUNDLE_SPEC.md): a DSSE envelope over an in-toto
 * statement whose predicateType is `https://sigstore.dev/cosign/sign/v1`
 * and whose subject is the image's digest; a message-signature bundle signs
 * the manifest bytes themselves. Verification material is a public-key hint
 * (checked against the given keys) or a certificate (checked against the
 * trusted root's CAs, then against the identity and issuer asked for).
 *
 * Transparency-log entries are checked when the trusted root has a log key;
 * otherwise they are left unchecked and the verdict says so.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  Verifier,
  toSignedEntity,
  toTrustMaterial,
  type SignedEntity,
  type VerifierOptions,
} from '@sigstore/verify';
import { cosignSignPredicate } from '../oci/referrer-kinds.js';
import type { SignatureTrust } from './signature-trust.js';
import type { SignatureVerdict, TransparencyLog } from './signature-verdict.js';

export interface SignedImage {
  readonly digest: string;
  /** The image manifest's bytes: what a message-signature bundle signs. */
  readonly manifest: () => Promise<Buffer>;
}

export async function checkSigstoreBundle(
  json: Buffer,
  image: SignedImage,
  trust: SignatureTrust,
): Promise<SignatureVerdict> {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(json.toString('utf8')));
  } catch (err) {
    return { ok: false, problem: `not a Sigstore bundle (${message(err)})` };
  }
  const claim = claimedDigest(bundle);
  if (typeof claim !== 'string') return { ok: false, problem: claim.problem };
  if (claim !== image.digest)
    return { ok: false, problem: `a signature over ${claim}, not this image` };
  const artifact = bundle.content.$case === 'messageSignature' ? await image.manifest() : undefined;
  return verifySigstoreBundle(bundle, artifact, trust);
}

/**
 * The verifier's verdict on a parsed bundle whose claim is already checked:
 * `artifact` is what a message signature signs (a DSSE envelope signs its
 * own payload).
 */
export function verifySigstoreBundle(
  bundle: Bundle,
  artifact: Buffer | undefined,
  trust: SignatureTrust,
): SignatureVerdict {
  let signed: SignedEntity;
  try {
    signed = toSignedEntity(bundle, artifact);
  } catch (err) {
    return { ok: false, problem: `its verification material cannot be read (${message(err)})` };
  }
  const { entity, transparencyLog, notes } = withCheckableLogs(signed, trust);
  const verdict =
    entity.key.$case === 'public-key' ? byKey(entity, trust) : byCertificate(entity, trust);
  return verdict.ok ? { ...verdict, transparencyLog, notes } : verdict;
}

/** The image digest the bundle claims to sign, or why it claims none. */
function claimedDigest(bundle: Bundle): string | { problem: string } {
  if (bundle.content.$case === 'messageSignature') {
    const { digest } = bundle.content.messageSignature.messageDigest;
    return `sha256:${Buffer.from(digest).toString('hex')}`;
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== 'application/vnd.in-toto+json')
    return { problem: `a DSSE envelope of ${envelope.payloadType}, not an in-toto statement` };
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  } catch {
    return { problem: 'its in-toto statement is not JSON' };
  }
  const predicateType = field(statement, 'predicateType');
  if (predicateType !== cosignSignPredicate)
    return { problem: `an attestation (${String(predicateType)}), not a signature` };
  const subjects = field(statement, 'subject');
  const hex = Array.isArray(subjects) ? field(field(subjects[0], 'digest'), 'sha256') : undefined;
  return typeof hex === 'string'
    ? `sha256:${hex}`
    : { problem: 'its statement names no sha256 subject' };
}

/**
 * The entity as far as the trusted root lets it be checked: without a log
 * key, its transparency-log entries are set aside (and said to be), since
 * the verifier would otherwise fail on every one.
 */
function withCheckableLogs(
  entity: SignedEntity,
  trust: SignatureTrust,
): { entity: SignedEntity; transparencyLog: TransparencyLog; notes: string[] } {
  if (entity.tlogEntries.length === 0) return { entity, transparencyLog: 'absent', notes: [] };
  if ((trust.trustedRoot?.root.tlogs.length ?? 0) > 0)
    return { entity, transparencyLog: 'verified', notes: [] };
  const why =
    trust.trustedRoot === undefined
      ? 'no trusted root was given'
      : `${trust.trustedRoot.file} has no transparency log key`;
  return {
    entity: {
      ...entity,
      tlogEntries: [],
      timestamps: entity.timestamps.filter((t) => t.$case !== 'transparency-log'),
    },
    transparencyLog: 'unchecked',
    notes: [`its transparency-log entry was not checked: ${why}`],
  };
}

function byKey(entity: SignedEntity, trust: SignatureTrust): SignatureVerdict {
  if (trust.keys.length === 0)
    return { ok: false, problem: 'signed with a key, and no key was given', unverifiable: true };
  const root = trust.trustedRoot?.root ?? emptyRoot();
  const problems = new Set<string>();
  for (const k of trust.keys) {
    const material = toTrustMaterial(root, () => ({ publicKey: k.key, validFor: () => true }));
    try {
      new Verifier(material, thresholds(entity, { timestamps: 0 })).verify(entity);
      return { ok: true, key: k.file, transparencyLog: 'absent', notes: [] };
    } catch (err) {
      problems.add(message(err));
    }
  }
  return { ok: false, problem: `no given key verifies it (${[...problems].join('; ')})` };
}

function byCertificate(entity: SignedEntity, trust: SignatureTrust): SignatureVerdict {
  if (trust.trustedRoot === undefined)
    return {
      ok: false,
      problem: 'signed with a certificate, which needs a trusted root to check offline',
      unverifiable: true,
    };
  if (trust.identity === undefined)
    return {
      ok: false,
      problem:
        'signed with a certificate, and no identity and issuer were given to check it against',
      unverifiable: true,
    };
  const root = trust.trustedRoot.root;
  let signer;
  try {
    signer = new Verifier(toTrustMaterial(root), {
      ...thresholds(entity, { timestamps: 1 }),
      ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
    }).verify(entity);
  } catch (err) {
    return { ok: false, problem: `its certificate does not verify (${message(err)})` };
  }
  const subject = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (subject !== trust.identity.subject || issuer !== trust.identity.issuer)
    return {
      ok: false,
      problem: `signed by ${subject ?? 'no identity'} (issuer ${issuer ?? 'none'}), not by ${trust.identity.subject} (issuer ${trust.identity.issuer})`,
    };
  return { ok: true, identity: { subject, issuer }, transparencyLog: 'absent', notes: [] };
}

/** Logs are required only where the bundle carries entries that can be checked. */
function thresholds(entity: SignedEntity, o: { timestamps: number }): VerifierOptions {
  return {
    tlogThreshold: entity.tlogEntries.length > 0 ? 1 : 0,
    ctlogThreshold: 0,
    timestampThreshold: o.timestamps,
  };
}

function emptyRoot(): TrustedRoot {
  return TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
