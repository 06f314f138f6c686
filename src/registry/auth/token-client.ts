/**
 * Fetch a bearer token from a registry's token service.
 *
 * - Anonymous or username/password: `GET realm?service=&scope=&scope=` with
 *   Basic credentials (distribution docs/spec/auth/token.md). This is what
 *   docker and go-containerregistry do and what every token server serves.
 * - Identity token (an OAuth2 refresh token from `docker login`): the OAuth2
 *   form POST with grant_type=refresh_token (docs/spec/auth/oauth.md);
 *   on 404/405/400 fall back to GET, as the spec and containerd do.
 *
 * The response may name the token `token` or `access_token`.
 */
import { BmpackError } from '../../errors.js';
import { redactUrl, registerSecret } from '../../redact.js';
import { header } from '../http/headers.js';
import type { RetryContext } from '../http/retrying.js';
import { sendWithRetries } from '../http/retrying.js';
import type { HttpResponse, Transport } from '../http/transport.js';
import { responseError } from '../http/response-errors.js';
import type { Credential } from './credentials/index.js';

export interface TokenRequest {
  readonly registry: string;
  readonly realm: string;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly credential: Credential | undefined;
}

export interface Token {
  readonly token: string;
  readonly expiresIn: number;
}

const clientId = 'bmpack';

export async function fetchToken(
  t: Transport,
  req: TokenRequest,
  retry: RetryContext,
): Promise<Token> {
  const realm = parseRealm(req);
  const cred = req.credential;
  if (cred?.identityToken !== undefined) {
    const res = await send(t, req, () => postForm(t, realm, req, cred.identityToken ?? ''), retry);
    if (![400, 404, 405].includes(res.statusCode)) return readToken(res, req);
    await res.body.dump();
  }
  const res = await send(t, req, () => getToken(t, realm, req), retry);
  return readToken(res, req);
}

function parseRealm(req: TokenRequest): URL {
  try {
    const url = new URL(req.realm);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // fall through
  }
  throw new BmpackError(
    'E_REGISTRY',
    `${req.registry} announced an invalid token realm ${JSON.stringify(req.realm)}`,
    {
      hint: 'The registry is misconfigured (auth.token.realm).',
    },
  );
}

function send(
  t: Transport,
  req: TokenRequest,
  attempt: () => Promise<HttpResponse>,
  retry: RetryContext,
): Promise<HttpResponse> {
  return sendWithRetries(attempt, `token for ${req.registry}`, retry);
}

function getToken(t: Transport, realm: URL, req: TokenRequest): Promise<HttpResponse> {
  const url = new URL(realm);
  if (req.service !== undefined) url.searchParams.set('service', req.service);
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  const cred = req.credential;
  if (cred?.username !== undefined && cred.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
  }
  return t.send({ method: 'GET', url, headers }, req.registry);
}

function postForm(
  t: Transport,
  realm: URL,
  req: TokenRequest,
  refreshToken: string,
): Promise<HttpResponse> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientId,
  });
  if (req.service !== undefined) form.set('service', req.service);
  if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '));
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return t.send({ method: 'POST', url: realm, headers, body: form.toString() }, req.registry);
}

async function readToken(res: HttpResponse, req: TokenRequest): Promise<Token> {
  const what = `token from ${redactUrl(req.realm)}`;
  if (res.statusCode !== 200) throw await responseError(res, { what, registry: req.registry });
  const type = header(res.headers, 'content-type') ?? '';
  let json: unknown;
  try {
    json = await res.body.json();
  } catch (err) {
    throw new BmpackError('E_REGISTRY', `${what}: the answer is not JSON (${type})`, {
      hint: 'The token service is misconfigured.',
      cause: err,
    });
  }
  const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const token =
    typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new BmpackError('E_REGISTRY', `${what}: the answer holds no token`, {
      hint: 'The token service is misconfigured.',
    });
  }
  registerSecret(token);
  const expiresIn =
    typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
  return { token, expiresIn };
}
