/**
 * One signature's verdict on one image (pure): signed, by whom and how far
 * it could be checked; or why not, with whether the signature is wrong or
 * only cannot be checked with what was given.
 */
import type { CertificateIdentity } from './signature-trust.js';

export type TransparencyLog = 'verified' | 'absent' | 'unchecked';

export type SignatureVerdict =
  | {
      readonly ok: true;
      readonly key?: string;
      readonly identity?: CertificateIdentity;
      /** The docker-reference a simple-signing payload names. */
      readonly reference?: string;
      readonly transparencyLog: TransparencyLog;
      /** What could not be checked offline, said plainly. */
      readonly notes: readonly string[];
    }
  | {
      readonly ok: false;
      readonly problem: string;
      /** Not wrong, only uncheckable with the keys, root or identity given. */
      readonly unverifiable?: true;
    };
