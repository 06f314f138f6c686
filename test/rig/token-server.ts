/**
 * An in-process token server speaking the docker token protocol (GET with
 * optional Basic auth) and its OAuth2 variant (POST form with password or
 * refresh_token grants), signing JWTs that a real docker-registry 2.8 accepts.
 * It records every request so tests can assert how a client authenticated.
 */
import { generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { libtrustKeyId, signRegistryToken, type AccessEntry, type JwtAlg } from './jwt.js';
import { runTool, track, trackServer } from './processes.js';
import { makeTempDir } from './temp-dir.js';
import { requireTool } from './tools.js';

/** A scope as requested: `repository:team/app:pull,push`. */
export interface RequestedScope {
  type: string;
  name: string;
  actions: string[];
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Must equal the registry's `auth.token.service` (becomes `aud`). */
  service: string;
  /** Must equal the registry's `auth.token.issuer` (becomes `iss`). */
  issuer: string;
  alg: JwtAlg;
  /** username → password. */
  users: Record<string, string>;
  /** Anonymous requests get `pull` (else an empty grant). Default false. */
  anonymousPull?: boolean;
  /** Answer every POST with this status (e.g. 404 to force the GET fallback). */
  postStatus?: number;
  /** Token lifetime in seconds (default 300). The registry allows 60 s of leeway on `exp`. */
  expiresIn?: number;
  /** Which field carries the token in responses (default 'both'). */
  responseField?: 'token' | 'access_token' | 'both';
  /**
   * Override what a user (undefined = anonymous) gets for one requested scope;
   * return the granted actions. Default: known users get pull/push of
   * repositories, anonymous gets pull only with `anonymousPull`.
   */
  grant?: (username: string | undefined, scope: RequestedScope) => string[];
}

/** One request the token server received. */
export interface TokenRequest {
  method: string;
  /** Requested scopes, one per entry (space-separated lists are split). */
  scopes: string[];
  /** Basic-auth user (GET) or form `username` / refresh token owner (POST). */
  username?: string;
  /** POST `grant_type`. */
  grantType?: string;
  service?: string;
  clientId?: string;
  /** Response status sent. */
  status: number;
}

/** A running token server. */
export interface TokenServer {
  /** `http://127.0.0.1:PORT/token`, for the registry's `auth.token.realm`. */
  realm: string;
  /** PEM certificate of the signing key, for `auth.token.rootcertbundle`. */
  rootCertFile: string;
  service: string;
  issuer: string;
  alg: JwtAlg;
  requests: TokenRequest[];
  /** Every access and refresh token handed out over HTTP, so that tests can look for them in output. */
  issued: string[];
  /** Mints a token directly, bypassing the HTTP protocol (for negative tests). */
  mint(access: AccessEntry[], options?: { subject?: string; expiresIn?: number }): string;
  stop(): Promise<void>;
}

const REPO_ACTIONS = ['pull', 'push'];

/** Parses `type:name:actions`; the name may itself contain `:` (a registry port). */
export function parseScope(scope: string): RequestedScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function basicUser(req: IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { username: decoded, password: '' };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
}

function generateKey(alg: JwtAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  return alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Starts a token server on 127.0.0.1 with a fresh signing key and certificate. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const expiresIn = options.expiresIn ?? 300;
  const responseField = options.responseField ?? 'both';
  const dirHandle = await makeTempDir('bmpack-token-');
  const dir = dirHandle.path;
  const { privateKey, publicKey } = generateKey(options.alg);
  const kid = libtrustKeyId(publicKey);
  const keyFile = join(dir, 'signing.key');
  const rootCertFile = join(dir, 'signing.crt');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  // The registry wants a certificate, and libtrust matches `kid` against the
  // key inside it, so the certificate must wrap exactly our signing key.
  // prettier-ignore
  await runTool(requireTool('openssl', 'openssl'), [
    'req', '-x509', '-new', '-key', keyFile, '-out', rootCertFile,
    '-days', '2', '-subj', '/CN=bmpack test token signer',
  ]);

  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const refreshTokens = new Map<string, string>();

  const grantFor = (username: string | undefined, scope: RequestedScope): string[] => {
    if (options.grant !== undefined) return options.grant(username, scope);
    if (scope.type !== 'repository') return [];
    const allowed = username !== undefined ? REPO_ACTIONS : options.anonymousPull ? ['pull'] : [];
    return scope.actions.filter((a) => allowed.includes(a));
  };

  const accessFor = (username: string | undefined, scopes: string[]): AccessEntry[] => {
    const access: AccessEntry[] = [];
    for (const raw of scopes) {
      const scope = parseScope(raw);
      if (scope === undefined) continue;
      const actions = grantFor(username, scope);
      if (actions.length > 0) access.push({ type: scope.type, name: scope.name, actions });
    }
    return access;
  };

  const mint: TokenServer['mint'] = (access, mintOptions = {}) =>
    signRegistryToken(options.alg, privateKey, kid, {
      issuer: options.issuer,
      audience: options.service,
      subject: mintOptions.subject,
      access,
      expiresIn: mintOptions.expiresIn ?? expiresIn,
    });

  const tokenBody = (token: string, extra: Record<string, unknown>): Record<string, unknown> => {
    issued.push(token);
    return {
      ...(responseField !== 'access_token' ? { token } : {}),
      ...(responseField !== 'token' ? { access_token: token } : {}),
      expires_in: expiresIn,
      issued_at: new Date().toISOString(),
      ...extra,
    };
  };

  const newRefreshToken = (username: string): string => {
    const refresh = randomBytes(24).toString('hex');
    issued.push(refresh);
    refreshTokens.set(refresh, username);
    return refresh;
  };

  const checkPassword = (username: string, password: string): boolean => {
    const known = options.users[username];
    return known !== undefined && sameSecret(known, password);
  };

  const handleGet = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' '));
    const service = url.searchParams.get('service') ?? undefined;
    const clientId = url.searchParams.get('client_id') ?? undefined;
    const creds = basicUser(req);
    const record = (status: number): void => {
      requests.push({
        method: 'GET',
        scopes,
        username: creds?.username,
        service,
        clientId,
        status,
      });
    };
    if (service !== undefined && service !== options.service) {
      record(400);
      sendJson(res, 400, { details: `unknown service ${service}` });
      return;
    }
    if (creds !== undefined && !checkPassword(creds.username, creds.password)) {
      record(401);
      sendJson(res, 401, { details: 'incorrect username or password' });
      return;
    }
    const extra: Record<string, unknown> = {};
    if (creds !== undefined && url.searchParams.get('offline_token') === 'true') {
      extra['refresh_token'] = newRefreshToken(creds.username);
    }
    record(200);
    const token = mint(accessFor(creds?.username, scopes), { subject: creds?.username });
    sendJson(res, 200, tokenBody(token, extra));
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const form = new URLSearchParams(await readBody(req));
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const grantType = form.get('grant_type') ?? undefined;
    const service = form.get('service') ?? undefined;
    const clientId = form.get('client_id') ?? undefined;
    let username: string | undefined;
    const reply = (status: number, body: unknown): void => {
      requests.push({ method: 'POST', scopes, username, grantType, service, clientId, status });
      sendJson(res, status, body);
    };
    if (options.postStatus !== undefined) {
      reply(options.postStatus, { error: 'POST disabled by the test' });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      reply(400, { error: 'invalid_request', error_description: 'expected a form' });
      return;
    }
    if (clientId === undefined || clientId === '') {
      reply(400, { error: 'invalid_request', error_description: 'client_id is required' });
      return;
    }
    if (service !== undefined && service !== options.service) {
      reply(400, { error: 'invalid_request', error_description: `unknown service ${service}` });
      return;
    }
    if (grantType === 'password') {
      username = form.get('username') ?? undefined;
      if (username === undefined || !checkPassword(username, form.get('password') ?? '')) {
        reply(401, { error: 'invalid_grant', error_description: 'incorrect username or password' });
        return;
      }
    } else if (grantType === 'refresh_token') {
      username = refreshTokens.get(form.get('refresh_token') ?? '');
      if (username === undefined) {
        reply(401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        return;
      }
    } else {
      reply(400, { error: 'unsupported_grant_type' });
      return;
    }
    const access = accessFor(username, scopes);
    const extra: Record<string, unknown> = {
      scope: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
    };
    if (form.get('access_type') === 'offline') {
      // A refresh grant hands back the token it was given, as Docker Hub does.
      extra['refresh_token'] =
        grantType === 'refresh_token' ? form.get('refresh_token') : newRefreshToken(username);
    }
    reply(200, tokenBody(mint(access, { subject: username }), extra));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    if (req.method === 'GET') {
      handleGet(req, res, url);
    } else if (req.method === 'POST') {
      handlePost(req, res).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    } else {
      sendJson(res, 405, { error: 'method not allowed' });
    }
  });
  const serverHandle = trackServer('token server', server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('token server: no port');
  const stopHandle = track('token server', async () => {
    await serverHandle.stop();
    await dirHandle.stop();
  });

  return {
    realm: `http://127.0.0.1:${address.port}/token`,
    rootCertFile,
    service: options.service,
    issuer: options.issuer,
    alg: options.alg,
    requests,
    issued,
    mint,
    stop: () => stopHandle.stop(),
  };
}
