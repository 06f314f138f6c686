/**
 * The `.sha256` sidecar against the file's own hash (computed by a verify
 * worker alongside everything else). Pure.
 */
import type { Sidecar } from '../bundle-writer/checksum-sidecar.js';
import type { SidecarCheck, VerifyProblem } from './verify-report.js';

export function checkSidecar(
  sidecar: Sidecar | undefined,
  actual: string | undefined,
): SidecarCheck | null {
  if (sidecar === undefined) return null;
  if (sidecar.sha256 === undefined) return { path: sidecar.path, status: 'malformed' };
  return {
    path: sidecar.path,
    status: actual === sidecar.sha256 ? 'match' : 'mismatch',
    expected: sidecar.sha256,
    ...(actual !== undefined ? { actual } : {}),
  };
}

export function sidecarProblem(c: SidecarCheck): VerifyProblem {
  return c.status === 'malformed'
    ? {
        check: 'sidecar',
        code: 'E_BUNDLE_INVALID',
        message: `${c.path} is not a sha256sum line ("<sha256>  <file name>")`,
      }
    : {
        check: 'sidecar',
        code: 'E_DIGEST_MISMATCH',
        message:
          c.damagedParts !== undefined && c.damagedParts.length > 0
            ? `part${c.damagedParts.length === 1 ? '' : 's'} ${c.damagedParts.join(', ')} do${c.damagedParts.length === 1 ? 'es' : ''} not match ${c.path}: the bundle's sha256 is ${c.actual ?? '(unread)'}, not ${c.expected ?? ''}`
            : `the file's sha256 is ${c.actual ?? '(unread)'}, but ${c.path} says ${c.expected ?? ''}`,
      };
}
