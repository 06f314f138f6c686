/**
 * `bundle verify --key/--trusted-root … --require-signed`: the signatures
 * after the bundle's own checks, and the error when one is bad or, when
 * asked, an image has none that could be checked.
 */
import { BmpackError } from '../../errors.js';
import {
  loadSignatureTrust,
  verifySignatures,
  type SignatureCheck,
  type SignatureTrustFiles,
} from '../../referrers/index.js';

export async function checkSignatures(
  path: string,
  trust: SignatureTrustFiles,
  requireSigned: boolean,
): Promise<SignatureCheck[]> {
  const checks = await verifySignatures(path, await loadSignatureTrust(trust));
  const bad = checks.filter((c) => c.status === 'invalid');
  if (bad.length > 0) {
    throw new BmpackError(
      'E_SIGNATURE_INVALID',
      `${bad.length} images have a signature that does not verify: ${names(bad)} (${bad[0]?.problems.join('; ') ?? ''})`,
      {
        hint: 'Check that --key (or --trusted-root with --certificate-identity and --certificate-oidc-issuer) is what the release was signed with; a signature over another digest means the image or the signature was swapped.',
        details: { images: bad.map((c) => c.image), problems: problemLines(bad) },
      },
    );
  }
  const unsigned = checks.filter((c) => c.status === 'unsigned' || c.status === 'unverified');
  if (requireSigned && unsigned.length > 0) {
    throw new BmpackError(
      'E_UNSIGNED',
      `${unsigned.length} images have no signature that could be verified: ${names(unsigned)}${why(unsigned)}`,
      {
        hint: 'Sign them with cosign before bundling (bundle create carries the signatures); for keyless signatures give --trusted-root with --certificate-identity and --certificate-oidc-issuer; or verify without --require-signed.',
        details: { images: unsigned.map((c) => c.image), problems: problemLines(unsigned) },
      },
    );
  }
  return checks;
}

/** One line per image: its status and who signed it, or why not. */
export function renderSignatures(checks: readonly SignatureCheck[]): string[] {
  return checks.flatMap((c) => [
    `  ${c.status.padEnd(10)} ${c.image}${signer(c)}`,
    ...c.problems.map((p) => `             ${p}`),
  ]);
}

function signer(c: SignatureCheck): string {
  if (c.status !== 'signed') return '';
  const by =
    c.key !== undefined
      ? `key ${c.key}`
      : c.identity !== undefined
        ? `${c.identity.subject} (issuer ${c.identity.issuer})`
        : 'unknown';
  const as = c.reference !== undefined ? `, signed as ${c.reference}` : '';
  const form = c.form === 'sigstore-bundle' ? ', Sigstore bundle' : ', cosign tag';
  const log =
    c.transparencyLog === 'verified'
      ? ', transparency log verified'
      : c.transparencyLog === 'unchecked'
        ? ', transparency log NOT checked'
        : '';
  return ` (${by}${as}${form}${log})`;
}

function why(checks: readonly SignatureCheck[]): string {
  const first = checks.find((c) => c.problems.length > 0);
  return first !== undefined ? ` (${first.image}: ${first.problems[0] ?? ''})` : '';
}

function names(checks: readonly SignatureCheck[]): string {
  const shown = checks.slice(0, 5).map((c) => c.image);
  return `${shown.join(', ')}${checks.length > 5 ? ` and ${checks.length - 5} more` : ''}`;
}

function problemLines(checks: readonly SignatureCheck[]): string[] {
  return checks.map((c) => `${c.image}: ${c.problems.join('; ') || c.status}`);
}
