/**
 * `image inspect` as a use case: a reference and how to reach its registry
 * in, what the registry holds for it out.
 */
import { parseReference } from '../reference/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import type { PlatformSpec } from '../oci/platform.js';
import { inspectImage, type InspectedImage } from './inspect-image.js';

export interface InspectRemoteOptions {
  /** Image reference, as docker takes it. */
  readonly image: string;
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  /** Inspect the manifest an index holds for this platform. */
  readonly platform?: PlatformSpec;
  readonly signal?: AbortSignal;
}

export async function inspectRemoteImage(o: InspectRemoteOptions): Promise<InspectedImage> {
  const ref = parseReference(o.image);
  const client = new RegistryClient({
    hosts: { [ref.registry]: o.host ?? {} },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    return await inspectImage(client, ref, o.platform);
  } finally {
    await client.close();
  }
}
