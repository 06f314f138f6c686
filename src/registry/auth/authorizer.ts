/**
 * Decides the Authorization header for a request to a registry, following
 * the registry's challenge (distribution docs/spec/auth/token.md):
 * ping `/v2/` once, then Basic credentials or a bearer token for the
 * request's scopes. A 401 on a request refreshes once with the scopes the
 * challenge names merged in (as containerd does).
 */
import { BmpackError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { headerValues } from '../http/headers.js';
import { isProxyRefusalError } from '../http/proxy-errors.js';
import type { RetryContext } from '../http/retrying.js';
import { sendWithRetries } from '../http/retrying.js';
import type { HttpResponse, Transport } from '../http/transport.js';
import { responseError } from '../http/response-errors.js';
import { type Challenge, challengeScopes, parseChallenges } from '../http/challenge.js';
import type { Credential, CredentialStore } from './credentials/index.js';
import { mergeScopes } from './scope.js';
import { TokenCache, tokenCacheKey } from './token-cache.js';
import { fetchToken } from './token-client.js';

export interface AuthorizerOptions {
  readonly transport: Transport;
  readonly credentials: CredentialStore | undefined;
  readonly retry: RetryContext;
  /** Base URL of a registry's API, e.g. https://registry-1.docker.io */
  readonly baseUrl: (registry: string) => URL;
}

export class Authorizer {
  private readonly pings = new Map<string, Promise<Challenge | undefined>>();
  private readonly creds = new Map<string, Promise<Credential | undefined>>();
  private readonly tokens = new TokenCache();

  constructor(private readonly o: AuthorizerOptions) {}

  /** Contact the registry once (its /v2/ ping), settling its scheme and challenge. */
  async prepare(registry: string): Promise<void> {
    await this.challenge(registry);
  }

  /** The Authorization header for `scopes` on `registry`, or undefined for anonymous access. */
  async authorization(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const challenge = await this.challenge(registry);
    return challenge === undefined
      ? undefined
      : this.forChallenge(registry, challenge, scopes, false);
  }

  /**
   * After a 401: a fresh header using the response's challenge, or
   * undefined when retrying cannot help (no credentials to offer).
   */
  async refresh(
    registry: string,
    scopes: readonly string[],
    res: HttpResponse,
  ): Promise<string | undefined> {
    const challenge = pickChallenge(parseChallenges(headerValues(res.headers, 'www-authenticate')));
    if (challenge === undefined) return undefined;
    this.pings.set(registry, Promise.resolve(challenge));
    return this.forChallenge(
      registry,
      challenge,
      mergeScopes(scopes, challengeScopes(challenge)),
      true,
    );
  }

  private challenge(registry: string): Promise<Challenge | undefined> {
    let p = this.pings.get(registry);
    if (p === undefined) {
      p = this.ping(registry).catch((err: unknown) => {
        const tlsOrNetwork =
          err instanceof BmpackError && (err.code === 'E_TLS' || err.code === 'E_NETWORK');
        if (tlsOrNetwork && this.o.transport.fallBackToHttp(registry)) return this.ping(registry);
        throw err;
      });
      this.pings.set(registry, p);
      // A failed ping is tried again by the next request, except a proxy's
      // refusal: it would only be refused again (and counted as a retry).
      p.catch((err: unknown) => {
        if (!isProxyRefusalError(err)) this.pings.delete(registry);
      });
    }
    return p;
  }

  /** GET /v2/ (distribution-spec "API version check"): 200 open, 401 names the scheme. */
  private async ping(registry: string): Promise<Challenge | undefined> {
    const url = new URL('/v2/', this.o.baseUrl(registry));
    const res = await sendWithRetries(
      () => this.o.transport.send({ method: 'GET', url }, registry),
      `ping ${registry}`,
      this.o.retry,
    );
    if (res.statusCode === 200) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode === 401) {
      const ch = pickChallenge(parseChallenges(headerValues(res.headers, 'www-authenticate')));
      await res.body.dump();
      return ch;
    }
    const err = await responseError(res, {
      what: `registry API check (GET ${url.pathname})`,
      registry,
    });
    throw new BmpackError(
      err.code === 'E_NOT_FOUND' ? 'E_REGISTRY' : err.code,
      `${err.message}: is it an OCI registry?`,
      {
        hint: 'Check the registry address; bmpack needs a registry that serves the /v2/ API.',
        cause: err,
      },
    );
  }

  private credential(registry: string): Promise<Credential | undefined> {
    let p = this.creds.get(registry);
    if (p === undefined) {
      p = this.o.credentials?.get(registry) ?? Promise.resolve(undefined);
      this.creds.set(registry, p);
      p.then(
        (c) => {
          registerSecret(c?.password);
          registerSecret(c?.identityToken);
          registerSecret(c?.registryToken);
        },
        () => this.creds.delete(registry),
      );
    }
    return p;
  }

  private async forChallenge(
    registry: string,
    ch: Challenge,
    scopes: readonly string[],
    fresh: boolean,
  ): Promise<string | undefined> {
    const cred = await this.credential(registry);
    if (ch.scheme === 'basic') {
      if (cred?.username === undefined || cred.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') {
      throw new BmpackError(
        'E_UNAUTHORIZED',
        `${registry} asks for unsupported authentication "${ch.scheme}"`,
        {
          hint: 'bmpack supports Basic and Bearer (token) authentication.',
        },
      );
    }
    if (cred?.registryToken !== undefined) return `Bearer ${cred.registryToken}`;
    const realm = ch.params.realm ?? '';
    const key = tokenCacheKey(realm, ch.params.service, scopes);
    if (fresh) this.tokens.delete(key);
    const cached = this.tokens.get(key);
    if (cached !== undefined) return `Bearer ${cached}`;
    const t = await fetchToken(
      this.o.transport,
      { registry, realm, service: ch.params.service, scopes, credential: cred },
      this.o.retry,
    );
    this.tokens.set(key, t.token, t.expiresIn);
    return `Bearer ${t.token}`;
  }
}

/** Prefer Bearer over Basic when a registry offers both. */
function pickChallenge(list: readonly Challenge[]): Challenge | undefined {
  return (
    list.find((c) => c.scheme === 'bearer') ?? list.find((c) => c.scheme === 'basic') ?? list[0]
  );
}
