import { expect } from 'chai';
import {
  isProxyRefusal,
  isProxyRefusalError,
  proxyRefusalDetail,
  proxyRefusalFromError,
} from '../../../src/registry/http/proxy-errors.js';

const https = new URL('https://reg.local:5000/v2/');
const http = new URL('http://reg.local:5000/v2/');

/** undici's tunnel failure, wrapped as fetch-like code wraps it. */
const tunnel = (status: number) =>
  new Error('fetch failed', {
    cause: new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`),
  });

describe("a proxy's refusal, told from a registry's", () => {
  it('maps a CONNECT answered 403 to proxy-refused naming HTTPS_PROXY, the port and squid’s SSL_ports rule', () => {
    const e = proxyRefusalFromError(tunnel(403), https, 'manifest x');
    expect(e?.code).to.equal('E_NETWORK');
    expect(e?.reason).to.equal('proxy-refused');
    expect(e?.message).to.contain('HTTPS_PROXY').and.contain('CONNECT').and.contain('HTTP 403');
    expect(e?.hint).to.contain('NO_PROXY').and.contain('port 5000').and.contain('SSL_ports');
    expect(isProxyRefusalError(e)).to.equal(true);
  });

  it('maps a 407 (CONNECT or absolute form) to proxy-auth-required, with credentials in the proxy URL', () => {
    const connect = proxyRefusalFromError(tunnel(407), https, 'blob y');
    expect(connect?.reason).to.equal('proxy-auth-required');
    const absolute = proxyRefusalFromError(
      new Error('Proxy Authentication Required (407)'),
      http,
      'blob y',
    );
    expect(absolute?.reason).to.equal('proxy-auth-required');
    expect(absolute?.message).to.contain('HTTP_PROXY');
    expect(absolute?.hint).to.contain('http://user:pass@proxy:3128');
  });

  it('leaves a CONNECT answered 5xx, and any other error, to the retrying network path', () => {
    expect(proxyRefusalFromError(tunnel(502), https, 'x')).to.equal(undefined);
    expect(proxyRefusalFromError(new Error('ECONNRESET'), https, 'x')).to.equal(undefined);
    expect(isProxyRefusalError(new Error('x'))).to.equal(false);
  });

  it("takes a 403 for the proxy's only when the proxy marks it (X-Squid-Error, Proxy-Status)", () => {
    expect(isProxyRefusal(407, {})).to.equal(true);
    expect(isProxyRefusal(403, { 'x-squid-error': 'ERR_ACCESS_DENIED 0' })).to.equal(true);
    expect(isProxyRefusal(403, { 'proxy-status': 'squid; error=http_request_denied' })).to.equal(
      true,
    );
    // A registry's 403 passed through the proxy: only a Via header.
    expect(isProxyRefusal(403, { via: '1.1 proxy (squid/5.7)' })).to.equal(false);
    expect(isProxyRefusal(401, { 'x-squid-error': 'x' })).to.equal(false);
    expect(proxyRefusalDetail({ 'x-squid-error': 'ERR_ACCESS_DENIED 0' })).to.equal(
      'ERR_ACCESS_DENIED 0',
    );
  });
});
