/**
 * A real squid as sites run it: the access rules Debian's squid ships
 * (/etc/squid/squid.conf: Safe_ports, SSL_ports 443 only, `http_access deny
 * CONNECT !SSL_ports`, localhost allowed), no cache, everything (config,
 * pid file, logs) in a temp folder. The in-process forward proxy
 * (forward-proxy.ts) takes whatever it is sent; squid shows what a stock
 * proxy refuses.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { runTool, spawnTracked, track, type TrackedProcess } from './processes.js';
import { makeTempDir } from './temp-dir.js';
import { requireTool } from './tools.js';

/** Options of {@link startSquid}. */
export interface SquidOptions {
  /** Ports added to the SSL_ports ACL: CONNECT to them is allowed (a site that opened them). */
  readonly connectPorts?: readonly number[];
  /** Basic proxy authentication (basic_ncsa_auth over an htpasswd file): everything else gets 407. */
  readonly auth?: { readonly username: string; readonly password: string };
}

/** One line of squid's access log (its native format). */
export interface SquidLogLine {
  /** `TCP_MISS/200`, `TCP_DENIED/403`, `TCP_TUNNEL/200`… */
  readonly result: string;
  readonly status: number;
  readonly method: string;
  /** The absolute URL, or `host:port` for CONNECT. */
  readonly url: string;
}

/** A running squid. */
export interface RunningSquid {
  /** `http://127.0.0.1:PORT`, for HTTP_PROXY / HTTPS_PROXY (credentials not included). */
  readonly url: string;
  readonly port: number;
  /** The access log as squid wrote it so far. */
  accessLog(): Promise<SquidLogLine[]>;
  stop(): Promise<void>;
}

/** Where Debian's squid keeps its basic auth helper. */
const basicAuthHelper = '/usr/lib/squid/basic_ncsa_auth';

/** squid's configuration: the shipped access rules, the rest in `dir`. */
function squidConfig(dir: string, port: number, options: SquidOptions): string {
  const auth =
    options.auth === undefined
      ? []
      : [
          `auth_param basic program ${basicAuthHelper} ${join(dir, 'htpasswd')}`,
          'auth_param basic realm bmpack-rig-squid',
          'acl authenticated proxy_auth REQUIRED',
          'http_access deny !authenticated',
        ];
  return [
    // The ACLs of Debian's /etc/squid/squid.conf (squid 5.7), as shipped.
    'acl localnet src 0.0.0.1-0.255.255.255',
    'acl localnet src 10.0.0.0/8',
    'acl localnet src 100.64.0.0/10',
    'acl localnet src 169.254.0.0/16',
    'acl localnet src 172.16.0.0/12',
    'acl localnet src 192.168.0.0/16',
    'acl localnet src fc00::/7',
    'acl localnet src fe80::/10',
    'acl SSL_ports port 443',
    ...(options.connectPorts ?? []).map((p) => `acl SSL_ports port ${p}`),
    'acl Safe_ports port 80',
    'acl Safe_ports port 21',
    'acl Safe_ports port 443',
    'acl Safe_ports port 70',
    'acl Safe_ports port 210',
    'acl Safe_ports port 1025-65535',
    'acl Safe_ports port 280',
    'acl Safe_ports port 488',
    'acl Safe_ports port 591',
    'acl Safe_ports port 777',
    'http_access deny !Safe_ports',
    'http_access deny CONNECT !SSL_ports',
    'http_access allow localhost manager',
    'http_access deny manager',
    ...auth,
    'http_access allow localhost',
    'http_access deny all',
    `http_port 127.0.0.1:${port}`,
    // No cache: every request reaches the registry, and nothing to set up.
    'cache deny all',
    `pid_filename ${join(dir, 'squid.pid')}`,
    // stdio: written at once, so a test reads every line as soon as the client has its answer.
    `access_log stdio:${join(dir, 'access.log')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    'cache_store_log none',
    `coredump_dir ${dir}`,
    'pinger_enable off',
    // SIGTERM stops at once (the default waits 30 s for clients).
    'shutdown_lifetime 0 seconds',
    '',
  ].join('\n');
}

/** Any HTTP answer from squid on `port` (squid answers a bare `GET /` with an error page). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('timeout', () => {
      req.destroy();
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

async function waitUntilAnswering(
  proc: TrackedProcess,
  port: number,
  timeoutMs: number,
): Promise<'ready' | 'port-taken'> {
  const state = { exited: false };
  void proc.exited.then(() => {
    state.exited = true;
  });
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (state.exited) {
      if (/Address already in use/i.test(proc.output())) return 'port-taken';
      throw new Error(`squid exited during start-up:\n${proc.output()}`);
    }
    if (await answers(port)) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `squid did not answer on 127.0.0.1:${port} within ${timeoutMs} ms:\n${proc.output()}`,
  );
}

/** `1796427202.151 1 127.0.0.1 TCP_DENIED/403 3407 GET http://… - HIER_NONE/- text/html` */
function parseLogLine(line: string): SquidLogLine | undefined {
  const fields = line.trim().split(/\s+/);
  const [result, method, url] = [fields[3], fields[5], fields[6]];
  if (result === undefined || method === undefined || url === undefined) return undefined;
  return { result, status: Number(result.split('/')[1]), method, url };
}

/** Starts squid on 127.0.0.1 (a free port) and waits until it answers. */
export async function startSquid(options: SquidOptions = {}): Promise<RunningSquid> {
  const binary = requireTool('squid', 'squid');
  const dirHandle = await makeTempDir('bmpack-squid-');
  const dir = dirHandle.path;
  try {
    // Started as root, squid works as the `proxy` user: it writes its logs here.
    await chmod(dir, 0o777);
    if (options.auth !== undefined) {
      if (!existsSync(basicAuthHelper))
        throw new Error(`${basicAuthHelper} is missing: install the Debian package squid`);
      const htpasswd = requireTool('htpasswd', 'apache2-utils');
      const line = await runTool(htpasswd, ['-bn', options.auth.username, options.auth.password]);
      await writeFile(join(dir, 'htpasswd'), line.toString('utf8').trim() + '\n', { mode: 0o644 });
    }
    const configFile = join(dir, 'squid.conf');
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await writeFile(configFile, squidConfig(dir, port, options));
      // -N: foreground, so that the rig tracks (and stops) the process itself.
      const proc = spawnTracked(binary, ['-N', '-f', configFile]);
      const state = await waitUntilAnswering(proc, port, 15_000).catch(async (err: unknown) => {
        await proc.stop();
        throw err;
      });
      if (state === 'port-taken' && attempt < 5) continue;
      if (state === 'port-taken') throw new Error(`squid: no free port:\n${proc.output()}`);
      const handle = track(`squid 127.0.0.1:${port}`, async () => {
        await proc.stop();
        await dirHandle.stop();
      });
      const accessLog = async (): Promise<SquidLogLine[]> => {
        const text = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
        return text.split('\n').flatMap((l) => parseLogLine(l) ?? []);
      };
      return { url: `http://127.0.0.1:${port}`, port, accessLog, stop: () => handle.stop() };
    }
  } catch (err) {
    await dirHandle.stop();
    throw err;
  }
}
