/**
 * Small shared helpers for the rig's in-process HTTP servers.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, Server } from 'node:http';

/** Headers that describe one connection, never forwarded by a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A copy of `headers` without hop-by-hop headers. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Listens on 127.0.0.1 with an OS-chosen port and returns the port. */
export async function listenLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('server has no port');
  return address.port;
}

/** True for hosts on this machine's loopback: the only place rig proxies may connect to. */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** Waits `ms`, or less if `cancels` is signalled (so stop() need not wait out a stall). */
export function cancellableSleep(ms: number, cancels: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      cancels.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancels.add(done);
  });
}
