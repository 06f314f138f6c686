/**
 * Content digests as the OCI image spec defines them (descriptor.md
 * "Digests"): `algorithm ":" encoded`. We accept the two registered
 * algorithms, each with its fixed-length lowercase hex encoding; go-digest's
 * `Digest.Validate` is equally strict, so anything a registry would refuse
 * fails here first.
 */
import { BmpackError } from '../errors.js';

/** Registered algorithms and the hex length of their encoding. */
const hexLengths = { sha256: 64, sha512: 128 } as const;

export type DigestAlgorithm = keyof typeof hexLengths;

/** A validated digest, split into its parts. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
}

const hint =
  'A digest looks like sha256:<64 lowercase hex characters> (or sha512:<128>); copy it from the registry or `docker buildx imagetools inspect`.';

function isAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(hexLengths, name);
}

function invalid(input: string, problem: string): BmpackError {
  return new BmpackError(
    'E_DIGEST_INVALID',
    `invalid digest ${JSON.stringify(input)}: ${problem}`,
    {
      hint,
      cause: new Error(problem),
      details: { digest: input },
    },
  );
}

/**
 * Parse `sha256:<hex>` or `sha512:<hex>`.
 * @throws BmpackError E_DIGEST_INVALID naming the input and the problem.
 */
export function parseDigest(input: string): ParsedDigest {
  const colon = input.indexOf(':');
  if (colon <= 0) throw invalid(input, 'expected "<algorithm>:<hex>"');
  const algorithm = input.slice(0, colon);
  const hex = input.slice(colon + 1);
  if (!isAlgorithm(algorithm)) {
    throw invalid(
      input,
      `unsupported algorithm ${JSON.stringify(algorithm)} (use sha256 or sha512)`,
    );
  }
  if (!/^[0-9a-f]*$/.test(hex)) {
    const problem = /^[0-9a-fA-F]*$/.test(hex)
      ? 'hex must be lowercase'
      : 'encoded part must be hex characters';
    throw invalid(input, problem);
  }
  const expected = hexLengths[algorithm];
  if (hex.length !== expected) {
    throw invalid(input, `${algorithm} needs ${expected} hex characters, got ${hex.length}`);
  }
  return { algorithm, hex };
}

/** The canonical string form, `algorithm:hex`. */
export function formatDigest(digest: ParsedDigest): string {
  return `${digest.algorithm}:${digest.hex}`;
}
