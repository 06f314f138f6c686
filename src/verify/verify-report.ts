/**
 * What `bundle verify` found: every check's outcome, what a delta leaves to
 * its base, and each problem with the blob and images it concerns. A
 * failed verification is a {@link VerifyError} that carries the report, so
 * that `--json` prints it beside the error.
 */
import type { BundleKind } from '../bundle-reader/index.js';
import type { BundleMetadata } from '../bundle-format/index.js';
import { BmpackError, type ErrorCode } from '../errors.js';

export type VerifyCheck = 'open' | 'xz' | 'blobs' | 'closure' | 'metadata' | 'sidecar';

export interface VerifyProblem {
  readonly check: VerifyCheck;
  readonly code: ErrorCode;
  readonly message: string;
  readonly blob?: string;
  /** The images that use the blob. */
  readonly images?: readonly string[];
  /** The damaged xz Block's offset in the file. */
  readonly blockOffset?: number;
}

/** A config or layer a delta leaves out: the base bundle must have brought it. */
export interface BaseBlob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly images: readonly string[];
}

export interface SidecarCheck {
  readonly path: string;
  readonly status: 'match' | 'mismatch' | 'malformed';
  readonly expected?: string;
  readonly actual?: string;
  /** For a bundle in parts whose whole does not match: the parts that do not match their lines. */
  readonly damagedParts?: readonly string[];
}

export interface VerifyReport {
  readonly file: string;
  readonly ok: boolean;
  /** Null when the file could not be opened as a bundle at all. */
  readonly kind: BundleKind | null;
  readonly name: string | null;
  readonly version: string | null;
  readonly base?: BundleMetadata['base'];
  readonly images: number;
  /** Blobs the file holds, and how many matched their digest. */
  readonly blobs: { readonly total: number; readonly verified: number; readonly bytes: number };
  /** xz Blocks, and how many passed every check; null for a plain tar. */
  readonly xz: { readonly blocks: number; readonly verified: number } | null;
  /** The `.sha256` sidecar, when there is one. */
  readonly sidecar: SidecarCheck | null;
  /** A delta: the configs and layers the base must supply. */
  readonly fromBase: readonly BaseBlob[];
  readonly problems: readonly VerifyProblem[];
  readonly workers: number;
  readonly seconds: number;
  /** Bytes read and checked (the tar, and the file again for the sidecar) per second. */
  readonly bytesPerSecond: number;
}

/** The code a failed verification ends with: the gravest problem's. */
const gravity: readonly ErrorCode[] = [
  'E_XZ_INVALID',
  'E_BUNDLE_INVALID',
  'E_DIGEST_MISMATCH',
  'E_SIZE_MISMATCH',
  'E_CLOSURE_MISSING',
  'E_IO',
];

export class VerifyError extends BmpackError {
  readonly report: VerifyReport;

  constructor(report: VerifyReport) {
    const codes = report.problems.map((p) => p.code);
    const code = gravity.find((c) => codes.includes(c)) ?? codes[0] ?? 'E_BUNDLE_INVALID';
    const shown = report.problems.slice(0, 3).map((p) => p.message);
    const more = report.problems.length > 3 ? `; and ${report.problems.length - 3} more` : '';
    const first = report.problems.find((p) => p.blob !== undefined);
    super(
      code,
      `${report.file} failed verification (${report.problems.length} ${report.problems.length === 1 ? 'problem' : 'problems'}): ${shown.join('; ')}${more}`,
      {
        hint: `Do not push it: copy ${report.file} again from its source and compare it with its .sha256 (sha256sum -c), or re-create it.`,
        details: {
          file: report.file,
          problems: report.problems.length,
          ...(first?.blob !== undefined ? { blob: first.blob } : {}),
        },
      },
    );
    this.report = report;
  }
}

/** The report of a file that does not even open as a bundle (truncated, not an archive). */
export function unopenedReport(
  path: string,
  err: BmpackError,
  workers: number,
  seconds: number,
): VerifyReport {
  const blob = err.details.blob;
  return {
    file: path,
    ok: false,
    kind: null,
    name: null,
    version: null,
    images: 0,
    blobs: { total: 0, verified: 0, bytes: 0 },
    xz: null,
    sidecar: null,
    fromBase: [],
    problems: [
      {
        check: 'open',
        code: err.code,
        message: err.message,
        ...(typeof blob === 'string' ? { blob } : {}),
      },
    ],
    workers,
    seconds,
    bytesPerSecond: 0,
  };
}
