/**
 * A reverse proxy in front of a registry that injects faults on demand:
 * canned statuses (429, 503…), connection resets mid-body, stalls and
 * redirects. It forwards everything else unchanged and keeps the client's
 * Host header, so the registry's absolute Locations (built from Host) point
 * back at the proxy and a client never escapes it mid-upload.
 *
 * The forward proxy and the static "blob storage" origin live in their own
 * files and are re-exported here.
 */
import { readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { cancellableSleep, endToEndHeaders, listenLoopback } from './http-util.js';
import { track, trackServer } from './processes.js';

export {
  startForwardProxy,
  type ForwardProxy,
  type ForwardProxyOptions,
  type ForwardProxyRequest,
} from './forward-proxy.js';
export { startStaticStorage, type StaticStorage, type StorageRequest } from './static-storage.js';

/** A request as the proxy saw it from the client. */
export interface ProxiedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The kind of fault injected into this request, if any. */
  fault?: FaultAction['kind'];
  /** The upstream's status, once its answer has been forwarded. */
  status?: number;
  /** Which client connection carried it (1, 2, … in the order they were accepted). */
  connection: number;
}

/** What to do to a matching request. */
export type FaultAction =
  /** Answer with this status instead of forwarding (e.g. 429 + Retry-After, 503). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | Buffer }
  /** Forward, but destroy the client socket after `bytes` bytes of response body. */
  | { kind: 'reset-after'; bytes: number }
  /** Destroy the client socket without any response. */
  | { kind: 'reset' }
  /** Forward; send headers and `afterBytes` (default 1024) body bytes, pause `ms`, then the rest. */
  | { kind: 'stall'; ms: number; afterBytes?: number }
  /** Read `bytes` bytes of the request body (an upload), then destroy the client socket. */
  | { kind: 'reset-upload-after'; bytes: number }
  /**
   * Read the whole request (or only `afterBytes` of its body, then stop
   * reading), answer nothing for `ms`, then destroy the client socket.
   */
  | { kind: 'hang'; ms: number; afterBytes?: number }
  /** Answer with a redirect instead of forwarding. */
  | { kind: 'redirect'; status: number; location: string | ((req: ProxiedRequest) => string) };

/** A programmable fault. Rules are tried in the order added; the first that matches applies. */
export interface FaultRule {
  match: (req: ProxiedRequest) => boolean;
  /** Apply to this many matching requests, then retire (default: forever). */
  times?: number;
  action: FaultAction;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  requests: ProxiedRequest[];
  /** Client connections accepted so far. */
  readonly connections: number;
  addRule(rule: FaultRule): void;
  clearRules(): void;
  stop(): Promise<void>;
}

/** The origin to proxy to: a RunningRegistry fits. */
export interface ProxyUpstream {
  origin: string;
  /** CA for an https origin. */
  caFile?: string;
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(chunk, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Starts a fault-injecting reverse proxy (plain HTTP on 127.0.0.1) in front of `upstream`. */
export async function startFaultProxy(upstream: ProxyUpstream): Promise<FaultProxy> {
  const target = new URL(upstream.origin);
  const secure = target.protocol === 'https:';
  const ca = upstream.caFile === undefined ? undefined : readFileSync(upstream.caFile);
  const requests: ProxiedRequest[] = [];
  const connectionIds = new WeakMap<Socket, number>();
  const rules: Array<FaultRule & { left: number }> = [];
  const cancels = new Set<() => void>();

  const pickRule = (req: ProxiedRequest): FaultAction | undefined => {
    const index = rules.findIndex((rule) => rule.left > 0 && rule.match(req));
    const rule = rules[index];
    if (rule === undefined) return undefined;
    rule.left -= 1;
    if (rule.left <= 0) rules.splice(index, 1);
    return rule.action;
  };

  /** Copies the upstream body to the client, applying reset/stall faults. */
  const pump = async (
    up: IncomingMessage,
    res: ServerResponse,
    action: FaultAction | undefined,
  ): Promise<void> => {
    let sent = 0;
    let stalled = false;
    const stallAt = action?.kind === 'stall' ? (action.afterBytes ?? 1024) : Infinity;
    const resetAt = action?.kind === 'reset-after' ? action.bytes : Infinity;
    const reset = (): void => {
      res.socket?.destroy();
      up.destroy();
    };
    if (resetAt === 0) {
      reset();
      return;
    }
    for await (const raw of up) {
      let chunk = raw as Buffer;
      if (sent + chunk.length >= resetAt) {
        await write(res, chunk.subarray(0, resetAt - sent));
        reset();
        return;
      }
      if (!stalled && sent + chunk.length >= stallAt && action?.kind === 'stall') {
        const head = chunk.subarray(0, stallAt - sent);
        await write(res, head);
        sent += head.length;
        chunk = chunk.subarray(head.length);
        stalled = true;
        await cancellableSleep(action.ms, cancels);
      }
      await write(res, chunk);
      sent += chunk.length;
    }
    if (resetAt !== Infinity) {
      // The body was shorter than the reset point: still cut the connection
      // before the response is properly ended.
      reset();
      return;
    }
    if (!stalled && action?.kind === 'stall') await cancellableSleep(action.ms, cancels);
    res.end();
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    record: ProxiedRequest,
    action?: FaultAction,
  ): void => {
    const headers = {
      ...endToEndHeaders(req.headers),
      // The registry derives the scheme of its Locations from this; the proxy
      // itself speaks plain HTTP even when the registry is https.
      'x-forwarded-proto': 'http',
    };
    const send = secure ? httpsRequest : httpRequest;
    const outgoing = send(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        ca,
        agent: false,
        // Node would check the certificate against the Host header (the
        // proxy's address); the certificate belongs to the upstream.
        checkServerIdentity: (_host, cert) => checkServerIdentity(target.hostname, cert),
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEndHeaders(up.headers));
        record.status = up.statusCode;
        // Clients must see headers before a stall, or they cannot time out on the body.
        if (action?.kind === 'stall') res.flushHeaders();
        pump(up, res, action).catch(() => {
          res.destroy();
          up.destroy();
        });
      },
    );
    outgoing.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`fault proxy: ${err.message}`);
      } else {
        res.destroy();
      }
    });
    res.on('close', () => outgoing.destroy());
    req.pipe(outgoing);
  };

  /** Answers locally once the request body has been read (or failed). */
  const answer = (req: IncomingMessage, respond: () => void): void => {
    req.on('end', respond);
    req.on('error', () => undefined);
    req.resume();
  };

  const server = createServer((req, res) => {
    const record: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      headers: req.headers,
      connection: connectionIds.get(req.socket) ?? 0,
    };
    requests.push(record);
    const action = pickRule(record);
    if (action !== undefined) record.fault = action.kind;
    switch (action?.kind) {
      case 'status':
        answer(req, () => {
          const body = action.body ?? '';
          res.writeHead(action.status, {
            'content-length': Buffer.byteLength(body),
            ...action.headers,
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        });
        return;
      case 'redirect': {
        const location =
          typeof action.location === 'function' ? action.location(record) : action.location;
        answer(req, () => {
          res.writeHead(action.status, { location, 'content-length': 0 }).end();
        });
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'reset-upload-after': {
        let seen = 0;
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= action.bytes) req.socket.destroy();
        });
        req.on('error', () => undefined);
        req.on('end', () => req.socket.destroy());
        return;
      }
      case 'hang': {
        const hang = (): void => {
          void cancellableSleep(action.ms, cancels).then(() => req.socket.destroy());
        };
        if (action.afterBytes === undefined) {
          answer(req, hang);
          return;
        }
        let seen = 0;
        const limit = action.afterBytes;
        const onData = (chunk: Buffer): void => {
          seen += chunk.length;
          if (seen < limit) return;
          req.off('data', onData);
          req.pause();
          hang();
        };
        req.on('data', onData);
        req.on('error', () => undefined);
        return;
      }
      default:
        forward(req, res, record, action);
    }
  });

  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connectionIds.set(socket, ++connections);
  });
  const serverHandle = trackServer('fault proxy', server);
  const port = await listenLoopback(server);
  const handle = track('fault proxy', async () => {
    for (const cancel of [...cancels]) cancel();
    await serverHandle.stop();
  });
  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    addRule(rule) {
      rules.push({ ...rule, left: rule.times ?? Infinity });
    },
    clearRules() {
      rules.length = 0;
    },
    stop: () => handle.stop(),
  };
}
