/**
 * An HTTP forward proxy for HTTPS_PROXY / HTTP_PROXY tests: CONNECT tunnels
 * and absolute-form requests. It only connects to loopback addresses, so a
 * misconfigured test cannot send traffic off the machine.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { endToEndHeaders, isLoopbackHost, listenLoopback } from './http-util.js';
import { track, trackServer } from './processes.js';

/** One request the proxy handled. */
export interface ForwardProxyRequest {
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  headers: IncomingHttpHeaders;
}

/** Options of {@link startForwardProxy}. */
export interface ForwardProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials (else 407). */
  auth?: { username: string; password: string };
  /**
   * Where to really connect for a `host:port` the client asked for; return
   * another `host:port` (e.g. a fault proxy in front of that registry) or
   * undefined to connect as asked. Applies to CONNECT tunnels and to
   * absolute-form requests; the client's Host header is kept.
   */
  route?: (target: string) => string | undefined;
  /** Answer this many CONNECTs (the first ones) with 503 instead of opening the tunnel. */
  refuseConnects?: number;
}

/** A running forward proxy. */
export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  requests: ForwardProxyRequest[];
  stop(): Promise<void>;
}

/** Starts a forward proxy on 127.0.0.1. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ForwardProxyRequest[] = [];
  const tunnels = new Set<Socket>();
  let refusals = options.refuseConnects ?? 0;
  const expectedAuth =
    options.auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  const authorised = (headers: IncomingHttpHeaders): boolean =>
    expectedAuth === undefined || headers['proxy-authorization'] === expectedAuth;

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    requests.push({ method: req.method ?? '', target, headers: req.headers });
    if (!authorised(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="rig-proxy"' }).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute-form URL expected');
      return;
    }
    const routed = options.route?.(url.host);
    if (routed !== undefined)
      url = new URL(`${url.protocol}//${routed}${url.pathname}${url.search}`);
    if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('rig proxy: loopback http only');
      return;
    }
    const upstream = httpRequest(
      url,
      { method: req.method, headers: endToEndHeaders(req.headers), agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEndHeaders(up.headers));
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    requests.push({ method: 'CONNECT', target, headers: req.headers });
    const fail = (status: string): void => {
      client.end(`HTTP/1.1 ${status}\r\n\r\n`);
    };
    if (!authorised(req.headers)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="rig-proxy"\r\n\r\n',
      );
      return;
    }
    if (refusals > 0) {
      refusals--;
      fail('503 Service Unavailable');
      return;
    }
    const destination = options.route?.(target) ?? target;
    const colon = destination.lastIndexOf(':');
    const hostname = destination.slice(0, colon);
    const port = Number(destination.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || !isLoopbackHost(hostname)) {
      fail('403 Forbidden');
      return;
    }
    const upstream = connect(port, hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('close', () => {
      tunnels.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => {
      if (!client.destroyed && client.bytesWritten === 0) fail('502 Bad Gateway');
      else client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });

  const serverHandle = trackServer('forward proxy', server);
  const port = await listenLoopback(server);
  const handle = track('forward proxy tunnels', async () => {
    for (const socket of tunnels) socket.destroy();
    await serverHandle.stop();
  });
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => handle.stop() };
}
