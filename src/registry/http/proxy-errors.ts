/**
 * A forward proxy that refuses a request, as opposed to a registry that
 * does. Sites run stock proxies: squid answers a CONNECT to any port but
 * 443 with 403 (its shipped `http_access deny CONNECT !SSL_ports`), and
 * one that wants credentials answers 407 (RFC 9110 §15.5.8). Neither
 * changes on a retry, and neither is about the registry's credentials or
 * permissions, so the error says so and says how to get past the proxy.
 */
import { BmpackError } from '../../errors.js';
import { header } from './headers.js';
import type { IncomingHttpHeaders } from 'undici/types/header.js';

/** What undici says when a proxy answers a CONNECT with anything but 200. */
const tunnelRefused = /Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;
/** What undici says when a proxy answers an absolute-form request with 407. */
const absoluteAuthRequired = /Proxy Authentication Required \(407\)/;

/** Which proxy variable applies to `url`'s scheme (HTTPS_PROXY for https). */
function proxyVariable(url: URL): string {
  return url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
}

/** The error for a proxy that answered `status` to a request for `url`. */
export function proxyRefusal(
  status: number,
  url: URL,
  what: string,
  how: 'CONNECT' | 'request',
  detail?: string,
): BmpackError {
  const variable = proxyVariable(url);
  const suffix = detail === undefined ? '' : ` (${detail})`;
  const details = { status, registry: url.host, proxied: how };
  if (status === 407) {
    return new BmpackError(
      'E_NETWORK',
      `${what}: the proxy (${variable}) asks for credentials (HTTP 407 to the ${how})${suffix}`,
      {
        hint: `Put the proxy's user and password in its URL (${variable}=http://user:pass@proxy:3128, percent-encoding special characters), or list ${url.hostname} in NO_PROXY if it is reachable without the proxy.`,
        reason: 'proxy-auth-required',
        details,
      },
    );
  }
  const rule =
    how === 'CONNECT'
      ? ` Otherwise its CONNECT rules must allow port ${url.port || '443'}: squid's shipped configuration tunnels to port 443 only ("http_access deny CONNECT !SSL_ports"), so add the port to its SSL_ports ACL.`
      : ' Otherwise its access rules (http_access) must allow this registry.';
  return new BmpackError(
    'E_NETWORK',
    `${what}: the proxy (${variable}) refused the ${how} to ${url.host} (HTTP ${status})${suffix}`,
    {
      hint: `The proxy refused, not the registry. If ${url.hostname} is reachable without the proxy, list it in NO_PROXY.${rule} If the proxy wants credentials, put them in its URL (${variable}=http://user:pass@proxy:3128).`,
      reason: 'proxy-refused',
      details,
    },
  );
}

/** True for the error of a proxy's refusal (403/407): it answers the same way every time. */
export function isProxyRefusalError(err: unknown): boolean {
  return (
    err instanceof BmpackError &&
    (err.reason === 'proxy-refused' || err.reason === 'proxy-auth-required')
  );
}

/** undici's error for a proxy's refusal (anywhere in `err`'s cause chain) as a BmpackError; else undefined. */
export function proxyRefusalFromError(
  err: unknown,
  url: URL,
  what: string,
): BmpackError | undefined {
  for (let at: unknown = err; at instanceof Error; at = at.cause) {
    const tunnel = tunnelRefused.exec(at.message);
    const status = Number(tunnel?.[1]);
    // A 5xx to a CONNECT (the proxy cannot reach the registry, or is busy)
    // may pass: that one stays a retried network error.
    if (status === 403 || status === 407) return proxyRefusal(status, url, what, 'CONNECT');
    if (absoluteAuthRequired.test(at.message)) return proxyRefusal(407, url, what, 'request');
  }
  return undefined;
}

/**
 * For a response to an absolute-form request (RFC 9112 §3.2.2): whether
 * the proxy itself answered with a refusal rather than passing on the
 * registry's. 407 only ever comes from a proxy; a 403 does when the proxy
 * marks it as its own, as squid does with X-Squid-Error or any proxy with
 * Proxy-Status (RFC 9209). A registry's 403 passed on by the proxy carries
 * neither (a Via header alone says only that the answer went through it).
 */
export function isProxyRefusal(status: number, headers: IncomingHttpHeaders): boolean {
  if (status === 407) return true;
  return (
    status === 403 &&
    (header(headers, 'x-squid-error') !== undefined ||
      header(headers, 'proxy-status') !== undefined)
  );
}

/** The proxy's own words about a refusal, for the message (squid: "ERR_ACCESS_DENIED 0"). */
export function proxyRefusalDetail(headers: IncomingHttpHeaders): string | undefined {
  return header(headers, 'x-squid-error') ?? header(headers, 'proxy-status');
}
