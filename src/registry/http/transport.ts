/**
 * The HTTP edge: one undici dispatcher per registry (its TLS settings and
 * the proxy environment), single requests, and a retry loop.
 *
 * Redirects are not followed here: blob downloads handle them so that an
 * Authorization header never reaches another origin (distribution-spec,
 * "Permit HTTP redirects globally").
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { BmpackError } from '../../errors.js';
import { redactUrl, registerSecret } from '../../redact.js';
import { hostOptionsFor, type HostOptions, type HostOptionsMap } from './host-options.js';
import { toNetworkError } from './network-errors.js';
import {
  isProxyRefusal,
  proxyRefusal,
  proxyRefusalDetail,
  proxyRefusalFromError,
} from './proxy-errors.js';

export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

export interface TransportOptions {
  readonly hosts?: HostOptionsMap;
  /** No data for this long while waiting for headers or body: the request fails (and may be retried). */
  readonly stallTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly userAgent?: string;
  /** Overrides HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment. */
  readonly proxy?: ProxySettings;
}

/** What a request may send: an async iterable goes to the socket piece by piece. */
export type RequestBody = Readable | Buffer | string | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal?: AbortSignal;
}

export type HttpResponse = Dispatcher.ResponseData;

export const defaultUserAgent = 'bmpack/0.1 (+https://github.com/bmpack/bmpack)';

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly downgraded = new Set<string>();

  constructor(private readonly options: TransportOptions = {}) {}

  /** Settings that apply to `registry`. */
  host(registry: string): HostOptions {
    return hostOptionsFor(this.options.hosts, registry);
  }

  /** `http` or `https` for a registry. */
  scheme(registry: string): 'http' | 'https' {
    return this.host(registry).plainHttp === true || this.downgraded.has(registry)
      ? 'http'
      : 'https';
  }

  /**
   * For an insecure registry whose HTTPS attempt failed: use plain HTTP
   * from now on. True when the switch was allowed and made.
   */
  fallBackToHttp(registry: string): boolean {
    if (this.host(registry).insecure !== true || this.scheme(registry) === 'http') return false;
    this.downgraded.add(registry);
    return true;
  }

  /**
   * One request, no retries. `tlsOf` names the registry whose TLS settings
   * apply (its token realm and its storage redirects trust the same CA).
   */
  async send(req: HttpRequest, tlsOf: string): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? defaultUserAgent,
      ...req.headers,
    };
    const what = `${req.method} ${redactUrl(req.url)}`;
    let res: HttpResponse;
    try {
      // The dispatcher's own request() (what undici's request(url, …) calls):
      // the single-file build carries undici's dispatchers, not its entry.
      res = await this.dispatcher(tlsOf).request({
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method: req.method,
        headers,
        body: undiciBody(req.body),
        signal: req.signal ?? null,
        // undici closes the connection after every HEAD (in case a server
        // sends a body with its answer); registries do not, and a plan is
        // mostly HEADs: keep the connection, as Go clients (skopeo, crane)
        // do, rather than pay a new TCP (and TLS) handshake per HEAD.
        ...(req.method === 'HEAD' ? { reset: false } : {}),
      });
    } catch (err) {
      if (req.signal?.aborted === true) throw abortError(req.signal, err);
      throw proxyRefusalFromError(err, req.url, what) ?? toNetworkError(err, what);
    }
    // The proxy's own refusal of an absolute-form request is no answer of
    // the registry's: it must not read as "access denied by the registry".
    if (isProxyRefusal(res.statusCode, res.headers)) {
      await res.body.dump().catch(() => undefined);
      throw proxyRefusal(res.statusCode, req.url, what, 'request', proxyRefusalDetail(res.headers));
    }
    return res;
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    // undici ends each connection with a new ClientDestroyedError, whose
    // stack Node's stream destroy() reads, so formats: ~0.3 ms a connection
    // with bmpack's single file loaded, 6-9 ms of a re-push's 16. Errors
    // made while the dispatchers close carry no stack (2-3 ms in all).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      await Promise.all(all.map((d) => d.close()));
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  private dispatcher(registry: string): Dispatcher {
    let d = this.dispatchers.get(registry);
    if (d === undefined) {
      d = this.createDispatcher(this.host(registry), registry);
      this.dispatchers.set(registry, d);
    }
    return d;
  }

  private createDispatcher(host: HostOptions, registry: string): Dispatcher {
    const tls = { ...tlsOptions(host, registry), timeout: this.options.connectTimeoutMs ?? 30_000 };
    const stall = this.options.stallTimeoutMs ?? stallTimeoutFromEnv() ?? 60_000;
    const proxy = this.options.proxy ?? {};
    registerProxySecrets(proxy);
    const pool = {
      headersTimeout: stall,
      bodyTimeout: stall,
      keepAliveTimeout: 4_000,
      // Node's own limit (http.maxHeaderSize, 16 KiB), given so that undici
      // need not load node:http to ask for it (bin/package.js).
      maxHeaderSize: 16 * 1024,
    };
    return new EnvHttpProxyAgent({
      ...proxy,
      connect: tls,
      requestTls: tls,
      ...pool,
      // An http:// registry goes to the proxy as absolute-form requests
      // (RFC 9112 §3.2.2), as curl, Go clients and skopeo send them; CONNECT
      // (RFC 9110 §9.3.6) stays for https://. Stock proxies allow CONNECT to
      // port 443 only (squid: "http_access deny CONNECT !SSL_ports"), so a
      // tunnel to a plain-HTTP registry on :5000 is refused.
      proxyTunnel: false,
      // undici builds the connection to the proxy for absolute-form requests
      // with this factory and only `connect` as options: the stall timeouts
      // would be lost without it.
      factory: (origin: string | URL, opts: object) => new Pool(origin, { ...pool, ...opts }),
    });
  }
}

/**
 * Proxy credentials come in the proxy's URL (http://user:pass@proxy:3128);
 * undici sends them as Proxy-Authorization. Neither the password nor that
 * header's value may reach a message, --json or --debug output.
 */
function registerProxySecrets(proxy: ProxySettings): void {
  const urls = [
    proxy.httpProxy ?? process.env.http_proxy ?? process.env.HTTP_PROXY,
    proxy.httpsProxy ?? process.env.https_proxy ?? process.env.HTTPS_PROXY,
  ];
  for (const raw of urls) {
    if (raw === undefined || raw === '') continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    if (url.password === '') continue;
    const user = safeDecode(url.username);
    const password = safeDecode(url.password);
    registerSecret(url.password);
    registerSecret(password);
    registerSecret(Buffer.from(`${user}:${password}`).toString('base64'));
    // The whole URL as given, for a message that quotes it.
    registerSecret(raw);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * undici takes async iterables as bodies at run time, but its types do not
 * say so: those go in as a Readable over the iterable, one hop per piece.
 */
function undiciBody(body: RequestBody | undefined): string | Buffer | Readable | null {
  if (body === undefined) return null;
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable) return body;
  return Readable.from(body, { objectMode: false });
}

/** `BMPACK_STALL_TIMEOUT_MS`: the stall timeout for slow links or tests; else undefined. */
function stallTimeoutFromEnv(): number | undefined {
  const ms = Number(process.env.BMPACK_STALL_TIMEOUT_MS ?? '');
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

function tlsOptions(
  host: HostOptions,
  registry: string,
): { ca?: string[]; rejectUnauthorized: boolean } {
  const rejectUnauthorized = host.skipVerify !== true && host.insecure !== true;
  if (host.caFile === undefined) return { rejectUnauthorized };
  let pem: string;
  try {
    pem = readFileSync(host.caFile, 'utf8');
  } catch (err) {
    throw new BmpackError(
      'E_CONFIG_INVALID',
      `cannot read the CA file ${host.caFile} for ${registry}`,
      {
        hint: 'Check the path of the CA certificate file.',
        reason: 'ca-file-unreadable',
        cause: err,
      },
    );
  }
  // `ca` replaces Node's roots, so keep them: a token realm may be public.
  // node:tls is loaded here, not at start: a plain-HTTP run never needs it
  // (it and what it loads cost ~2 ms of every start).
  const { rootCertificates } = process.getBuiltinModule('node:tls');
  return { ca: [...rootCertificates, pem], rejectUnauthorized };
}

function abortError(signal: AbortSignal, cause: unknown): BmpackError {
  const reason: unknown = signal.reason;
  if (reason instanceof BmpackError) return reason;
  return new BmpackError('E_INTERRUPTED', 'interrupted', {
    hint: 'Run the command again to resume.',
    cause,
  });
}
