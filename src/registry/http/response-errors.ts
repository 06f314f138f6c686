/**
 * Registry error responses as BmpackErrors. Bodies follow the
 * distribution-spec "Error Codes" format `{"errors":[{code,message,detail}]}`
 * when they are JSON at all; read at most 64 KiB of them.
 */
import { BmpackError, type ErrorCode, type ErrorReason } from '../../errors.js';
import { redactText } from '../../redact.js';
import { parseChallenges } from './challenge.js';
import { header, headerValues } from './headers.js';
import { parseRetryAfter } from './retry-policy.js';
import type { HttpResponse } from './transport.js';
import { asBuffer } from '../../content/as-buffer.js';

const maxErrorBody = 64 * 1024;

export interface RegistryDiagnostic {
  readonly code: string;
  readonly message: string;
}

/** What the request was about, for the message: "manifest gcr.io/x/y:1.0". */
export interface ErrorSubject {
  readonly what: string;
  readonly registry: string;
}

async function readCapped(res: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = asBuffer(chunk);
    chunks.push(buf);
    size += buf.length;
    if (size >= maxErrorBody) break;
  }
  if (size >= maxErrorBody) res.body.destroy();
  return Buffer.concat(chunks).toString('utf8').slice(0, maxErrorBody);
}

export function parseDiagnostics(text: string): RegistryDiagnostic[] {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null) return [];
    const errors = (json as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors.flatMap((e: unknown) => {
      if (typeof e !== 'object' || e === null) return [];
      const { code, message } = e as { code?: unknown; message?: unknown };
      return typeof code === 'string'
        ? [{ code, message: typeof message === 'string' ? message : '' }]
        : [];
    });
  } catch {
    return [];
  }
}

function describe(diags: readonly RegistryDiagnostic[], text: string): string {
  if (diags.length > 0)
    return diags.map((d) => `${d.code}${d.message ? `: ${d.message}` : ''}`).join('; ');
  const plain = text.trim().split('\n')[0] ?? '';
  return plain.slice(0, 200);
}

/** Consume the body of a failed response and build the matching error. */
export async function responseError(
  res: HttpResponse,
  subject: ErrorSubject,
): Promise<BmpackError> {
  const text = redactText(await readCapped(res).catch(() => ''));
  const diags = parseDiagnostics(text);
  const status = res.statusCode;
  const detail = describe(diags, text);
  const suffix = detail ? ` (${detail})` : '';
  // Kept for loops that retry whole operations (uploads): they wait as asked.
  const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
  const details = {
    status,
    registry: subject.registry,
    ...(diags[0] ? { registryCode: diags[0].code } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  const { registry } = subject;
  const error = (code: ErrorCode, what: string, hint: string, reason?: ErrorReason) =>
    new BmpackError(code, `${subject.what}: ${what}${suffix}`, {
      hint,
      ...(reason !== undefined ? { reason } : {}),
      details,
    });
  switch (status) {
    case 401:
      return insufficientScope(res)
        ? error(
            'E_DENIED',
            `${registry} grants these credentials no access`,
            'The user lacks permission for this repository (pull, or push for writes), or anonymous access is read-only.',
          )
        : error(
            'E_UNAUTHORIZED',
            `${registry} refused the credentials`,
            `Log in to ${registry}, and check the user and password.`,
            'credentials-rejected',
          );
    case 403:
      return error(
        'E_DENIED',
        `access denied by ${registry}`,
        'The credentials are valid but lack permission for this repository (pull, or push for writes).',
      );
    case 404:
      return error(
        'E_NOT_FOUND',
        `not found on ${registry}`,
        'Check the repository name and the tag or digest; for a private repository, check the credentials too.',
      );
    case 429:
      return error(
        'E_RATE_LIMITED',
        `rate limited by ${registry}`,
        'Wait and re-run with fewer parallel requests, or log in to get a higher limit.',
        'rate-limited',
      );
    default:
      return error(
        'E_REGISTRY',
        `${registry} answered HTTP ${status}`,
        'See the registry message above; re-running resumes finished work.',
      );
  }
}

/** A 401 whose challenge says the token lacked scope (RFC 6750 §3.1): a permission problem, not bad credentials. */
function insufficientScope(res: HttpResponse): boolean {
  return parseChallenges(headerValues(res.headers, 'www-authenticate')).some(
    (c) => c.params.error === 'insufficient_scope',
  );
}
