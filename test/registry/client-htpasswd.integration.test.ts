import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseReference } from '../../src/reference/index.js';
import { dockerConfigCredentials } from '../../src/registry/auth/credentials/index.js';
import { RegistryClient } from '../../src/registry/client.js';
import { clientFor } from '../rig/registry-client.js';
import { makeImage } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { rejection } from '../rig/rejection.js';
import { makeTempDir } from '../rig/temp-dir.js';

describe('registry client on a TLS + htpasswd registry', function () {
  this.timeout(120_000);
  let reg: RunningRegistry;
  const image = makeImage({ seed: 21, layers: 1, layerSize: 1000, format: 'docker' });
  const ref = () => parseReference(`${reg.host}/secure/app:1`);

  before(async () => {
    reg = await startRegistry('htpasswd');
    await seedImage(reg, image, 'secure/app:1');
  });
  after(() => reg.stop());

  it('pulls with Basic credentials over TLS verified with --cacert', async () => {
    const client = clientFor(reg);
    try {
      expect((await client.getManifest(ref())).digest).to.equal(image.manifestDigest);
    } finally {
      await client.close();
    }
  });

  it('reads the credentials from a Docker config file', async () => {
    const work = await makeTempDir('bmpack-dc-');
    const dir = work.path;
    const auth = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [`https://${reg.host}`]: { auth } } }),
    );
    const client = new RegistryClient({
      hosts: { [reg.host]: { caFile: reg.caFile! } },
      credentials: dockerConfigCredentials({ path: join(dir, 'config.json') }),
    });
    try {
      expect((await client.getManifest(ref())).digest).to.equal(image.manifestDigest);
    } finally {
      await client.close();
      await work.stop();
    }
  });

  it('fails with E_TLS, reason tls-untrusted and a hint about the CA certificate when the CA is unknown', async () => {
    const client = clientFor(reg, { ca: false });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_TLS');
      expect(err.exitCode).to.equal(8);
      expect(err.reason).to.equal('tls-untrusted');
      expect(err.hint).to.contain('CA');
    } finally {
      await client.close();
    }
  });

  it('connects with skip-verify only when asked', async () => {
    const client = new RegistryClient({
      hosts: { [reg.host]: { skipVerify: true } },
      credentials: clientCreds(reg),
    });
    try {
      expect((await client.getManifest(ref())).digest).to.equal(image.manifestDigest);
    } finally {
      await client.close();
    }
  });

  it('fails with E_UNAUTHORIZED without credentials, and never prints the password', async () => {
    const client = clientFor(reg, { credentials: false });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_UNAUTHORIZED');
      expect(err.exitCode).to.equal(4);
    } finally {
      await client.close();
    }
  });

  it('fails with E_UNAUTHORIZED on a wrong password, without leaking it', async () => {
    const wrong = 'definitely-wrong-password-123';
    const client = new RegistryClient({
      hosts: { [reg.host]: { caFile: reg.caFile! } },
      credentials: (await import('../../src/registry/auth/credentials/index.js')).staticCredentials(
        {
          [reg.host]: { username: reg.username!, password: wrong },
        },
      ),
    });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_UNAUTHORIZED');
      expect(`${err.message} ${err.hint ?? ''} ${JSON.stringify(err.details)}`).to.not.contain(
        wrong,
      );
    } finally {
      await client.close();
    }
  });

  it('fails clearly when asked for plain HTTP on a TLS port', async () => {
    const client = new RegistryClient({
      hosts: { [reg.host]: { plainHttp: true } },
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_REGISTRY');
      expect(err.message).to.contain('HTTPS server');
    } finally {
      await client.close();
    }
  });
});

function clientCreds(reg: RunningRegistry) {
  return {
    get: (registry: string) =>
      Promise.resolve(
        registry === reg.host ? { username: reg.username!, password: reg.password! } : undefined,
      ),
  };
}
