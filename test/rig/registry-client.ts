/** Build RegistryClients aimed at rig registries, and read streams in tests. */
import type { Readable } from 'node:stream';
import { parseReference } from '../../src/reference/index.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import type { RunningRegistry } from './registry.js';

/** A fast retry policy so that fault tests stay short. */
export const quickRetry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5_000 };

export interface ClientFor {
  credentials?: boolean;
  ca?: boolean;
  host?: string;
  extra?: RegistryClientOptions;
}

/** A client for `reg` (or for `host` in front of it) with its CA and credentials. */
export function clientFor(reg: RunningRegistry, o: ClientFor = {}): RegistryClient {
  const host = o.host ?? reg.host;
  const plainHttp = o.host !== undefined ? true : reg.plainHttp;
  const creds =
    o.credentials !== false && reg.username !== undefined && reg.password !== undefined
      ? staticCredentials({ [host]: { username: reg.username, password: reg.password } })
      : undefined;
  return new RegistryClient({
    hosts: {
      [host]: {
        plainHttp,
        ...(o.ca !== false && reg.caFile !== undefined ? { caFile: reg.caFile } : {}),
      },
    },
    ...(creds ? { credentials: creds } : {}),
    retry: quickRetry,
    ...o.extra,
  });
}

/** The digest `reg` serves for `ref` (a path in it, with tag or digest), or undefined when it has none. */
export async function digestAt(reg: RunningRegistry, ref: string): Promise<string | undefined> {
  const client = clientFor(reg);
  try {
    return (await client.headManifest(parseReference(`${reg.host}/${ref}`)))?.digest;
  } finally {
    await client.close();
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}
