/**
 * Registry error responses as BmpackErrors. Bodies follow the
 * distribution-spec "Error Codes" format `{"errors":[{code,message,detail}]}`
 * when they are JSON at all; read at most 64 KiB of them.
 */
import { BmpackError } from '../../errors.js';
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
  switch (status) {
    case 401:
      if (insufficientScope(res)) {
        return new BmpackError(
          'E_DENIED',
          `${subject.what}: ${subject.registry} grants these credentials no access${suffix}`,
          {
            hint: 'The user lacks permission for this repository (pull, or push for writes), or anonymous access is read-only.',
            details,
          },
        );
      }
      return new BmpackError(
        'E_UNAUTHORIZED',
        `${subject.what}: ${subject.registry} refused the credentials${suffix}`,
        {
          hint: `Log in to ${subject.registry}, and check the user and password.`,
          reason: 'credentials-rejected',
          details,
        },
      );
    case 403:
      return new BmpackError(
        'E_DENIED',
        `${subject.what}: access denied by ${subject.registry}${suffix}`,
        {
          hint: 'The credentials are valid but lack permission for this repository (pull, or push for writes).',
          details,
        },
      );
    case 404:
      return new BmpackError(
        'E_NOT_FOUND',
        `${subject.what}: not found on ${subject.registry}${suffix}`,
        {
          hint: 'Check the repository name and the tag or digest; for a private repository, check the credentials too.',
          details,
        },
      );
    case 429:
      return new BmpackError(
        'E_RATE_LIMITED',
        `${subject.what}: rate limited by ${subject.registry}${suffix}`,
        {
          hint: 'Wait and re-run with fewer parallel requests, or log in to get a higher limit.',
          reason: 'rate-limited',
          details,
        },
      );
    default:
      return new BmpackError(
        'E_REGISTRY',
        `${subject.what}: ${subject.registry} answered HTTP ${status}${suffix}`,
        {
          hint: 'See the registry message above; re-running resumes finished work.',
          details,
        },
      );
  }
}

/** A 401 whose challenge says the token lacked scope (RFC 6750 §3.1): a permission problem, not bad credentials. */
function insufficientScope(res: HttpResponse): boolean {
  return parseChallenges(headerValues(res.headers, 'www-authenticate')).some(
    (c) => c.params.error === 'insufficient_scope',
  );
}
