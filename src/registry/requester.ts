/**
 * Authorised requests to one registry's API: attaches the Authorization
 * header (only for the registry's own origin), retries what can be
 * replayed, refreshes credentials once on a 401, and follows redirects
 * without ever carrying credentials to another origin.
 */
import { BmpackError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { Authorizer } from './auth/authorizer.js';
import { apiBaseUrl } from './endpoint.js';
import { header } from './http/headers.js';
import { type RetryContext, sendWithRetries } from './http/retrying.js';
import type { HttpRequest, HttpResponse, RequestBody, Transport } from './http/transport.js';

export interface ApiRequest {
  readonly registry: string;
  readonly scopes: readonly string[];
  readonly method: HttpRequest['method'];
  /** A path on the registry (`/v2/…`) or an absolute URL (upload Locations). */
  readonly target: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** For messages: "manifest gcr.io/x/y:1". */
  readonly what: string;
  /** Follow 3xx redirects (blob GETs). */
  readonly followRedirects?: boolean;
  /**
   * Clean-up after an interruption (cancelling an upload session): sent
   * even though the run's signal has fired, once, and given up after a few
   * seconds rather than holding the exit.
   */
  readonly cleanup?: boolean;
}

/** How long a clean-up request may take. */
const cleanupTimeoutMs = 3000;

const maxRedirects = 10;

export class Requester {
  /** Requests no caller waits for (a probe's cancel): closing waits for them. */
  private readonly tidying = new Set<Promise<void>>();

  constructor(
    readonly transport: Transport,
    private readonly authorizer: Authorizer,
    readonly retry: RetryContext,
  ) {}

  /** Runs `work` without anyone waiting for it, but before the client closes; its failure is ignored. */
  inBackground(work: Promise<void>): void {
    const p = work.catch(() => undefined);
    this.tidying.add(p);
    void p.finally(() => this.tidying.delete(p));
  }

  /** Once every background request has settled. */
  async settled(): Promise<void> {
    while (this.tidying.size > 0) await Promise.all(this.tidying);
  }

  baseUrl(registry: string): URL {
    return apiBaseUrl(registry, this.transport.scheme(registry));
  }

  resolve(registry: string, target: string | URL): URL {
    return new URL(target, this.baseUrl(registry));
  }

  /**
   * `path` at the registry, once its scheme is settled: an insecure
   * registry's ping decides between HTTPS and plain HTTP, so a URL made
   * before it (a tag list asked while the first images are walked) could
   * name the wrong one.
   */
  async url(registry: string, path: string): Promise<URL> {
    await this.authorizer.prepare(registry);
    return this.resolve(registry, path);
  }

  async send(req: ApiRequest): Promise<HttpResponse> {
    await this.authorizer.prepare(req.registry); // the ping may settle the scheme (insecure registries)
    const url = this.resolve(req.registry, req.target);
    const own = url.origin === this.baseUrl(req.registry).origin;
    let auth = own ? await this.authorizer.authorization(req.registry, req.scopes) : undefined;
    let res = await this.once(req, url, auth);
    if (res.statusCode === 401 && own && replayable(req)) {
      const fresh = await this.authorizer.refresh(req.registry, req.scopes, res);
      if (fresh !== undefined && fresh !== auth) {
        await res.body.dump();
        auth = fresh;
        res = await this.once(req, url, auth);
      }
    }
    return req.followRedirects === true ? this.follow(req, url, res) : res;
  }

  private once(req: ApiRequest, url: URL, auth: string | undefined): Promise<HttpResponse> {
    const headers = { ...req.headers, ...(auth !== undefined ? { authorization: auth } : {}) };
    const attempt = (): Promise<HttpResponse> =>
      this.transport.send(
        {
          method: req.method,
          url,
          headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.cleanup === true
            ? { signal: AbortSignal.timeout(cleanupTimeoutMs) }
            : signal(this.retry)),
        },
        req.registry,
      );
    if (req.cleanup === true) return attempt();
    return replayable(req) ? sendWithRetries(attempt, req.what, this.retry) : attempt();
  }

  /**
   * Follow redirects by hand (undici's request() does not). Headers other
   * than Authorization (Range, Accept) go along; Authorization only while
   * the origin stays the registry's own.
   */
  private async follow(req: ApiRequest, start: URL, first: HttpResponse): Promise<HttpResponse> {
    let res = first;
    let url = start;
    for (let hop = 0; isRedirect(res.statusCode); hop++) {
      const location = header(res.headers, 'location');
      await res.body.dump();
      if (location === undefined || hop >= maxRedirects) {
        throw new BmpackError(
          'E_REGISTRY',
          `${req.what}: too many or broken redirects from ${redactUrl(url)}`,
          {
            hint: 'The registry or its storage is misconfigured.',
          },
        );
      }
      url = new URL(location, url);
      if (url.origin === this.baseUrl(req.registry).origin) {
        res = await this.send({ ...req, target: url, followRedirects: false });
      } else {
        const hopReq = {
          method: req.method,
          url,
          headers: { ...req.headers },
          ...signal(this.retry),
        };
        res = await sendWithRetries(
          () => this.transport.send(hopReq, req.registry),
          req.what,
          this.retry,
        );
      }
    }
    return res;
  }
}

function replayable(req: ApiRequest): boolean {
  return req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function signal(retry: RetryContext): { signal?: AbortSignal } {
  return retry.signal !== undefined ? { signal: retry.signal } : {};
}
