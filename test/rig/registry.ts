/**
 * Real docker-registry (CNCF distribution 2.8) instances for integration
 * tests, in three set-ups: anonymous plain HTTP, htpasswd over TLS with a
 * test-time CA, and token auth through the in-process token server.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { runTool, spawnTracked, track, type TrackedProcess } from './processes.js';
import { makeTempDir } from './temp-dir.js';
import { makeCa, makeServerCert } from './tls.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.js';
import { requireTool } from './tools.js';

/** Which authentication (and transport) a registry uses. */
export type RegistrySetup = 'anonymous' | 'htpasswd' | 'token';

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Serve TLS with a test CA. Default: true for 'htpasswd', false otherwise. */
  tls?: boolean;
  /** User for 'htpasswd' and 'token' (default `bmpack`). */
  username?: string;
  /** Its password (default: random). */
  password?: string;
  /** Token-server options for 'token' (default alg RS256, no anonymous pull). */
  token?: Partial<Omit<TokenServerOptions, 'users'>> & { users?: Record<string, string> };
  /** How long to wait for `/v2/` to answer (default 15 s). */
  startTimeoutMs?: number;
  /**
   * Edits the registry configuration (a plain object, written as YAML) just
   * before start, e.g. `(c) => { c['http'].relativeurls = true }`. `http.addr`
   * is set afterwards.
   */
  configure?: (config: Record<string, Record<string, unknown>>) => void;
}

/** A started registry. */
export interface RunningRegistry {
  setup: RegistrySetup;
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  origin: string;
  plainHttp: boolean;
  /** PEM CA that signed the server certificate (TLS only). */
  caFile?: string;
  username?: string;
  password?: string;
  token?: TokenServer;
  /** Temp directory holding config, storage and TLS files; removed on stop. */
  dir: string;
  stop(): Promise<void>;
}

/** Stable per registry: it signs the `_state` of upload Locations. */
const HTTP_SECRET = 'bmpack-rig-http-secret-not-a-real-secret';

/** One GET /v2/; resolves with the status, rejects on connection errors. */
function probe(origin: string, ca: Buffer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL('/v2/', origin);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

function registryEnv(): NodeJS.ProcessEnv {
  // REGISTRY_* variables override the config file; don't inherit any.
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')),
  );
}

async function waitUntilServing(
  proc: TrackedProcess,
  origin: string,
  ca: Buffer | undefined,
  timeoutMs: number,
): Promise<'ready' | 'port-taken'> {
  const deadline = Date.now() + timeoutMs;
  // An object, not a let: the flag is set in a callback TS cannot see.
  const state = { exited: false };
  void proc.exited.then(() => {
    state.exited = true;
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (state.exited) {
      if (/address already in use/.test(proc.output())) return 'port-taken';
      throw new Error(`docker-registry exited during start-up:\n${proc.output()}`);
    }
    try {
      await probe(origin, ca);
      return 'ready';
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `docker-registry did not answer ${origin}/v2/ within ${timeoutMs} ms (last error: ${lastError}):\n${proc.output()}`,
  );
}

/**
 * Starts `docker-registry serve` on 127.0.0.1 (random port, temp storage,
 * deletes enabled) and waits until `/v2/` answers.
 */
export async function startRegistry(
  setup: RegistrySetup,
  opts: RegistryOptions = {},
): Promise<RunningRegistry> {
  const binary = requireTool('docker-registry', 'docker-registry');
  const useTls = opts.tls ?? setup === 'htpasswd';
  const dirHandle = await makeTempDir('bmpack-registry-');
  const dir = dirHandle.path;
  const cleanups: Array<() => Promise<void>> = [() => dirHandle.stop()];
  const cleanUp = async (): Promise<void> => {
    for (const step of [...cleanups].reverse()) await step();
  };

  try {
    const http: Record<string, unknown> = { secret: HTTP_SECRET };
    const config: Record<string, Record<string, unknown>> = {
      http,
      log: { level: 'info', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: join(dir, 'storage') },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
    };
    let caFile: string | undefined;
    if (useTls) {
      const tlsDir = join(dir, 'tls');
      await mkdir(tlsDir);
      const ca = await makeCa(tlsDir);
      const server = await makeServerCert(tlsDir, ca, { ips: ['127.0.0.1'], dns: ['localhost'] });
      http['tls'] = { certificate: server.certFile, key: server.keyFile };
      caFile = ca.certFile;
    }

    let username: string | undefined;
    let password: string | undefined;
    let token: TokenServer | undefined;
    if (setup === 'htpasswd' || setup === 'token') {
      username = opts.username ?? 'bmpack';
      password = opts.password ?? randomBytes(12).toString('hex');
    }
    if (setup === 'htpasswd' && username !== undefined && password !== undefined) {
      const htpasswd = requireTool('htpasswd', 'apache2-utils');
      // -B: bcrypt, the only hash distribution accepts (others are silently ignored).
      const line = await runTool(htpasswd, ['-Bbn', username, password]);
      const file = join(dir, 'htpasswd');
      await writeFile(file, line.toString('utf8').trim() + '\n');
      config['auth'] = { htpasswd: { realm: 'basic-realm', path: file } };
    }
    if (setup === 'token' && username !== undefined && password !== undefined) {
      const { users, ...tokenOptions } = opts.token ?? {};
      const server = await startTokenServer({
        service: 'bmpack-test-registry',
        issuer: 'bmpack-test-issuer',
        alg: 'RS256',
        ...tokenOptions,
        users: { ...users, [username]: password },
      });
      token = server;
      cleanups.push(() => server.stop());
      config['auth'] = {
        token: {
          realm: server.realm,
          service: server.service,
          issuer: server.issuer,
          rootcertbundle: server.rootCertFile,
        },
      };
    }

    opts.configure?.(config);
    const ca = caFile === undefined ? undefined : readFileSync(caFile);
    const configFile = join(dir, 'config.yml');
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      const origin = `${useTls ? 'https' : 'http'}://${host}`;
      // JSON is YAML, and needs no YAML writer.
      await writeFile(
        configFile,
        JSON.stringify({ version: '0.1', ...config, http: { ...config['http'], addr: host } }),
      );
      const proc = spawnTracked(binary, ['serve', configFile], { env: registryEnv() });
      const state = await waitUntilServing(proc, origin, ca, opts.startTimeoutMs ?? 15_000).catch(
        async (err: unknown) => {
          await proc.stop();
          throw err;
        },
      );
      if (state === 'port-taken' && attempt < 5) continue;
      if (state === 'port-taken')
        throw new Error(`docker-registry: no free port:\n${proc.output()}`);
      cleanups.push(() => proc.stop());
      const handle = track(`registry ${setup} ${host}`, cleanUp);
      return {
        setup,
        host,
        origin,
        plainHttp: !useTls,
        caFile,
        username,
        password,
        token,
        dir,
        stop: () => handle.stop(),
      };
    }
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
