/**
 * `bundle verify --key FILE --require-signed`: the signatures after the
 * bundle's own checks, and the error when one is bad or, when asked, an
 * image has none.
 */
import { BmpackError } from '../../errors.js';
import { loadKeys, verifySignatures, type SignatureCheck } from '../../referrers/index.js';

export async function checkSignatures(
  path: string,
  keyFiles: readonly string[],
  requireSigned: boolean,
): Promise<SignatureCheck[]> {
  const checks = await verifySignatures(path, await loadKeys(keyFiles));
  const bad = checks.filter((c) => c.status === 'invalid');
  const unsigned = checks.filter((c) => c.status === 'unsigned');
  if (bad.length > 0) {
    throw new BmpackError(
      'E_SIGNATURE_INVALID',
      `${bad.length} images have a signature that no given key verifies: ${names(bad)} (${bad[0]?.problems.join('; ') ?? ''})`,
      {
        hint: 'Check that --key is the key the release was signed with; a signature over another digest means the image or the signature was swapped.',
        details: { images: bad.map((c) => c.image) },
      },
    );
  }
  if (requireSigned && unsigned.length > 0) {
    throw new BmpackError(
      'E_UNSIGNED',
      `${unsigned.length} images are not signed: ${names(unsigned)}`,
      {
        hint: 'Sign them with cosign before bundling (bundle create carries the signatures), or verify without --require-signed.',
        details: { images: unsigned.map((c) => c.image) },
      },
    );
  }
  return checks;
}

function names(checks: readonly SignatureCheck[]): string {
  const shown = checks.slice(0, 5).map((c) => c.image);
  return `${shown.join(', ')}${checks.length > 5 ? ` and ${checks.length - 5} more` : ''}`;
}
