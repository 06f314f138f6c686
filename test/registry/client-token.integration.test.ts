import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseReference } from '../../src/reference/index.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { RegistryClient } from '../../src/registry/client.js';
import { clientFor } from '../rig/registry-client.js';
import { makeImage } from '../rig/image-generator.js';
import { startRegistry, type RegistryOptions, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { rejection } from '../rig/rejection.js';

const image = makeImage({ seed: 31, layers: 2, layerSize: 1500, format: 'oci' });

async function tokenRegistry(token: RegistryOptions['token'] = {}): Promise<RunningRegistry> {
  const reg = await startRegistry('token', { token });
  await seedImage(reg, image, 'team/app:1');
  return reg;
}

describe('registry client on a token-auth registry', function () {
  this.timeout(120_000);

  for (const alg of ['RS256', 'ES256'] as const) {
    it(`pulls and pushes with ${alg} tokens, fetching one token per scope set`, async () => {
      const reg = await tokenRegistry({ alg });
      const client = clientFor(reg);
      try {
        const ref = parseReference(`${reg.host}/team/app:1`);
        reg.token!.requests.length = 0;
        expect((await client.getManifest(ref)).digest).to.equal(image.manifestDigest);
        expect((await client.headManifest(ref))?.digest).to.equal(image.manifestDigest);
        expect(reg.token!.requests.filter((r) => r.status === 200)).to.have.length(1);
        expect(reg.token!.requests[0]!.scopes).to.deep.equal(['repository:team/app:pull']);
        expect(reg.token!.requests[0]!.username).to.equal(reg.username);
        const target = parseReference(`${reg.host}/team/copy:1`);
        const layer = image.layers[0]!;
        const desc = { mediaType: 'x', digest: layer.digest, size: layer.size };
        expect(
          await client.uploadBlob(target, desc, () => Readable.from([layer.data]), {
            mountFrom: 'team/app',
          }),
        ).to.equal('mounted');
        const mountScopes = reg.token!.requests.at(-1)!.scopes;
        expect(mountScopes).to.deep.equal([
          'repository:team/copy:pull,push',
          'repository:team/app:pull',
        ]);
      } finally {
        await client.close();
        await reg.stop();
      }
    });
  }

  it('uses the OAuth2 POST form for an identity token, reading access_token', async () => {
    const reg = await tokenRegistry({ responseField: 'access_token' });
    const refresh = await refreshTokenFor(reg);
    const client = new RegistryClient({
      hosts: { [reg.host]: { plainHttp: true } },
      credentials: staticCredentials({ [reg.host]: { identityToken: refresh } }),
    });
    try {
      reg.token!.requests.length = 0;
      expect((await client.getManifest(parseReference(`${reg.host}/team/app:1`))).digest).to.equal(
        image.manifestDigest,
      );
      const req = reg.token!.requests[0]!;
      expect(req.method).to.equal('POST');
      expect(req.grantType).to.equal('refresh_token');
      expect(req.clientId).to.equal('bmpack');
    } finally {
      await client.close();
      await reg.stop();
    }
  });

  it('falls back to GET when the token service refuses POST', async () => {
    const reg = await tokenRegistry({ postStatus: 404, responseField: 'token' });
    const client = new RegistryClient({
      hosts: { [reg.host]: { plainHttp: true } },
      credentials: staticCredentials({
        [reg.host]: {
          username: reg.username!,
          password: reg.password!,
          identityToken: 'unused-refresh',
        },
      }),
    });
    try {
      reg.token!.requests.length = 0;
      expect((await client.getManifest(parseReference(`${reg.host}/team/app:1`))).digest).to.equal(
        image.manifestDigest,
      );
      expect(reg.token!.requests.map((r) => `${r.method} ${r.status}`)).to.deep.equal([
        'POST 404',
        'GET 200',
      ]);
    } finally {
      await client.close();
      await reg.stop();
    }
  });

  it('pulls anonymously when the token service grants anonymous pull, and is denied a push', async () => {
    const reg = await tokenRegistry({ anonymousPull: true });
    const client = clientFor(reg, { credentials: false });
    try {
      expect((await client.getManifest(parseReference(`${reg.host}/team/app:1`))).digest).to.equal(
        image.manifestDigest,
      );
      const err = await rejection(
        client.putManifest(
          { registry: reg.host, repository: 'team/app' },
          '2',
          image.manifest,
          image.mediaType,
        ),
      );
      expect(err.code).to.equal('E_DENIED');
    } finally {
      await client.close();
      await reg.stop();
    }
  });

  it('fails with E_UNAUTHORIZED when the token service refuses the password', async () => {
    const reg = await tokenRegistry();
    const client = new RegistryClient({
      hosts: { [reg.host]: { plainHttp: true } },
      credentials: staticCredentials({
        [reg.host]: { username: reg.username!, password: 'not-the-password' },
      }),
    });
    try {
      const err = await rejection(client.getManifest(parseReference(`${reg.host}/team/app:1`)));
      expect(err.code).to.equal('E_UNAUTHORIZED');
      expect(err.message).to.not.contain('not-the-password');
    } finally {
      await client.close();
      await reg.stop();
    }
  });
});

/** A refresh token from the token server's password grant (what `docker login` keeps). */
async function refreshTokenFor(reg: RunningRegistry): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: reg.username!,
    password: reg.password!,
    client_id: 'test',
    access_type: 'offline',
    service: reg.token!.service,
  });
  const res = await fetch(reg.token!.realm, { method: 'POST', body: form });
  const body = (await res.json()) as { refresh_token?: string };
  if (body.refresh_token === undefined) throw new Error('no refresh token');
  return body.refresh_token;
}
