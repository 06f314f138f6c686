/**
 * What `bundle verify` trusts when it checks signatures offline: public
 * keys (cosign's `cosign.pub`, any PEM SPKI key), and for certificate
 * signatures a Sigstore trusted root (`trusted_root.json`: the CAs,
 * transparency logs and timestamp authorities a site trusts, as `cosign
 * trusted-root create` or the sigstore TUF repository gives it) with the
 * identity and OIDC issuer the certificate must name.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { BmpackError } from '../errors.js';
import { ioError } from '../fs/atomic-file.js';

export interface PublicKeyFile {
  readonly file: string;
  readonly key: KeyObject;
}

export interface CertificateIdentity {
  /** The certificate's subject alternative name, compared exactly (cosign's --certificate-identity). */
  readonly subject: string;
  /** The OIDC issuer the certificate records (Fulcio's extension 1.3.6.1.4.1.57264.1.8 or .1.1). */
  readonly issuer: string;
}

export interface SignatureTrust {
  readonly keys: readonly PublicKeyFile[];
  readonly trustedRoot?: { readonly file: string; readonly root: TrustedRoot };
  readonly identity?: CertificateIdentity;
}

export interface SignatureTrustFiles {
  readonly keys?: readonly string[];
  readonly trustedRoot?: string;
  readonly identity?: CertificateIdentity;
}

export async function loadSignatureTrust(o: SignatureTrustFiles): Promise<SignatureTrust> {
  const keys = await loadKeys(o.keys ?? []);
  const trustedRoot =
    o.trustedRoot !== undefined
      ? { file: o.trustedRoot, root: await loadTrustedRoot(o.trustedRoot) }
      : undefined;
  return {
    keys,
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    ...(o.identity !== undefined ? { identity: o.identity } : {}),
  };
}

export async function loadKeys(files: readonly string[]): Promise<PublicKeyFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const pem = await read(file);
      try {
        return { file, key: createPublicKey(pem) };
      } catch (err) {
        throw new BmpackError('E_CONFIG_INVALID', `${file} is not a PEM public key`, {
          hint: 'Give the public key cosign generate-key-pair wrote (cosign.pub), or one in PEM (BEGIN PUBLIC KEY).',
          cause: err,
          details: { file },
        });
      }
    }),
  );
}

/** A trusted root in the sigstore protobuf-specs JSON form (`application/vnd.dev.sigstore.trustedroot…`). */
async function loadTrustedRoot(file: string): Promise<TrustedRoot> {
  const text = await read(file);
  const invalid = (why: string, cause?: unknown): BmpackError =>
    new BmpackError('E_CONFIG_INVALID', `${file} is not a Sigstore trusted root: ${why}`, {
      hint: 'Give a trusted_root.json (sigstore protobuf-specs TrustedRoot): `cosign trusted-root create` writes one for private infrastructure, and the sigstore TUF repository ships the public one.',
      ...(cause !== undefined ? { cause } : {}),
      details: { file },
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid('it is not JSON', err);
  }
  const mediaType =
    typeof json === 'object' && json !== null && 'mediaType' in json ? json.mediaType : undefined;
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')
  )
    throw invalid('its mediaType is not application/vnd.dev.sigstore.trustedroot+json');
  try {
    return TrustedRoot.fromJSON(json);
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err), err);
  }
}

async function read(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw ioError(err, file, 'read');
  });
}
