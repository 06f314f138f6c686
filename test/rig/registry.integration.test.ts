import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { makeImage, seedImage, type GeneratedImage } from './images.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { ACCEPT_MANIFESTS, basic, send } from './test-http.js';
import { startTokenServer } from './token-server.js';

/** Token for `scope` from the registry's token server, via GET with Basic auth. */
async function fetchToken(registry: RunningRegistry, scope: string): Promise<string> {
  const token = registry.token!;
  const url = `${token.realm}?service=${encodeURIComponent(token.service)}&scope=${encodeURIComponent(scope)}`;
  const res = await send(url, {
    headers: { authorization: basic(registry.username!, registry.password!) },
  });
  expect(res.status).to.equal(200);
  return String((JSON.parse(res.body.toString('utf8')) as { token: unknown }).token);
}

describe('rig registry: anonymous', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('anonymous');
  });
  after(() => registry.stop());

  it('serves /v2/ over plain HTTP without auth', async () => {
    expect(registry.plainHttp).to.equal(true);
    expect(registry.origin).to.equal(`http://${registry.host}`);
    const res = await send(`${registry.origin}/v2/`);
    expect(res.status).to.equal(200);
    expect(res.headers['docker-distribution-api-version']).to.equal('registry/2.0');
  });

  it('accepts deletes (storage.delete.enabled)', async () => {
    const image = makeImage({ seed: 11, layers: 1, layerSize: 64, format: 'oci' });
    const digest = await seedImage(registry, image, 'rig/delete:v1');
    const del = await send(`${registry.origin}/v2/rig/delete/manifests/${digest}`, {
      method: 'DELETE',
    });
    expect(del.status).to.equal(202);
  });

  it('stops: the port closes and the temp dir is removed', async () => {
    const other = await startRegistry('anonymous');
    await other.stop();
    expect(existsSync(other.dir)).to.equal(false);
    let error: unknown;
    await send(`${other.origin}/v2/`).catch((err: unknown) => {
      error = err;
    });
    expect(String(error)).to.match(/ECONNREFUSED/);
  });

  it('fails with the registry output when it cannot start', async () => {
    let error: unknown;
    await startRegistry('anonymous', {
      configure: (config) => {
        config['http']!['tls'] = { certificate: '/nonexistent/cert.pem', key: '/nonexistent/k' };
      },
    }).catch((err: unknown) => {
      error = err;
    });
    expect(String(error))
      .to.match(/exited during start-up/)
      .and.match(/nonexistent\/cert\.pem/);
  });
});

describe('rig registry: htpasswd over TLS', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('htpasswd');
  });
  after(() => registry.stop());

  it('challenges with Basic over TLS verified by the test CA', async () => {
    expect(registry.plainHttp).to.equal(false);
    expect(registry.origin).to.equal(`https://${registry.host}`);
    const res = await send(`${registry.origin}/v2/`, { caFile: registry.caFile });
    expect(res.status).to.equal(401);
    expect(res.headers['www-authenticate']).to.equal('Basic realm="basic-realm"');
  });

  it('opens /v2/ with the right credentials only', async () => {
    expect(registry.username).to.equal('bmpack');
    const ok = await send(`${registry.origin}/v2/`, {
      caFile: registry.caFile,
      headers: { authorization: basic(registry.username!, registry.password!) },
    });
    expect(ok.status).to.equal(200);
    const wrong = await send(`${registry.origin}/v2/`, {
      caFile: registry.caFile,
      headers: { authorization: basic(registry.username!, `${registry.password!}x`) },
    });
    expect(wrong.status).to.equal(401);
  });

  it('is not trusted without the CA', async () => {
    let error: unknown;
    await send(`${registry.origin}/v2/`).catch((err: unknown) => {
      error = err;
    });
    expect((error as { code?: string } | undefined)?.code).to.match(/CERT|SELF_SIGNED|VERIFY/);
  });

  it('can be seeded through TLS and Basic auth', async () => {
    const image = makeImage({ seed: 12, layers: 1, layerSize: 256, format: 'docker' });
    const digest = await seedImage(registry, image, 'rig/tls:v1');
    const res = await send(`${registry.origin}/v2/rig/tls/manifests/v1`, {
      method: 'HEAD',
      caFile: registry.caFile,
      headers: {
        accept: ACCEPT_MANIFESTS,
        authorization: basic(registry.username!, registry.password!),
      },
    });
    expect(res.status).to.equal(200);
    expect(res.headers['docker-content-digest']).to.equal(digest);
  });
});

for (const alg of ['RS256', 'ES256'] as const) {
  describe(`rig registry: token auth signed ${alg}`, () => {
    let registry: RunningRegistry;
    let image: GeneratedImage;
    before(async () => {
      registry = await startRegistry('token', { token: { alg } });
      image = makeImage({ seed: 13, layers: 2, layerSize: 512, format: 'oci' });
      await seedImage(registry, image, 'rig/pull:v1');
    });
    after(() => registry.stop());

    it('challenges with Bearer naming the token server', async () => {
      const res = await send(`${registry.origin}/v2/`);
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal(
        `Bearer realm="${registry.token!.realm}",service="${registry.token!.service}"`,
      );
      expect(registry.token!.alg).to.equal(alg);
    });

    it('accepts a token from the token server on /v2/ and for a pull', async () => {
      const token = await fetchToken(registry, 'repository:rig/pull:pull');
      const auth = { authorization: `Bearer ${token}` };
      const base = await send(`${registry.origin}/v2/`, { headers: auth });
      expect(base.status).to.equal(200);
      const manifest = await send(`${registry.origin}/v2/rig/pull/manifests/v1`, {
        headers: { ...auth, accept: ACCEPT_MANIFESTS },
      });
      expect(manifest.status).to.equal(200);
      expect(manifest.body.equals(image.manifest)).to.equal(true);
      expect(manifest.headers['docker-content-digest']).to.equal(image.manifestDigest);
      const layer = image.layers[1]!;
      const blob = await send(`${registry.origin}/v2/rig/pull/blobs/${layer.digest}`, {
        headers: auth,
      });
      expect(blob.status).to.equal(200);
      expect(blob.body.equals(layer.data)).to.equal(true);
    });

    it('refuses a token without the repository scope', async () => {
      const token = await fetchToken(registry, 'repository:rig/other:pull');
      const res = await send(`${registry.origin}/v2/rig/pull/manifests/v1`, {
        headers: { authorization: `Bearer ${token}`, accept: ACCEPT_MANIFESTS },
      });
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.include('error="insufficient_scope"');
      expect(res.headers['www-authenticate']).to.include('scope="repository:rig/pull:pull"');
    });

    it('refuses an expired token and one signed by a key it does not trust', async () => {
      const pull = [{ type: 'repository', name: 'rig/pull', actions: ['pull'] }];
      const url = `${registry.origin}/v2/rig/pull/manifests/v1`;
      const status = async (token: string): Promise<number> =>
        (
          await send(url, {
            method: 'HEAD',
            headers: { authorization: `Bearer ${token}`, accept: ACCEPT_MANIFESTS },
          })
        ).status;
      expect(await status(registry.token!.mint(pull))).to.equal(200);
      // exp is checked with 60 s of leeway, so go well past it.
      expect(await status(registry.token!.mint(pull, { expiresIn: -3600 }))).to.equal(401);
      const stranger = await startTokenServer({
        service: registry.token!.service,
        issuer: registry.token!.issuer,
        alg,
        users: {},
      });
      try {
        expect(await status(stranger.mint(pull))).to.equal(401);
      } finally {
        await stranger.stop();
      }
    });
  });
}

describe('rig registry: token auth with anonymous pull', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('token', { token: { anonymousPull: true } });
    await seedImage(
      registry,
      makeImage({ seed: 14, layers: 1, layerSize: 64, format: 'oci' }),
      'rig/public:v1',
    );
  });
  after(() => registry.stop());

  it('lets an anonymous token pull but not push', async () => {
    const url = `${registry.token!.realm}?service=${registry.token!.service}&scope=repository:rig/public:pull,push`;
    const res = await send(url);
    const token = String((JSON.parse(res.body.toString('utf8')) as { token: unknown }).token);
    const pull = await send(`${registry.origin}/v2/rig/public/manifests/v1`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}`, accept: ACCEPT_MANIFESTS },
    });
    expect(pull.status).to.equal(200);
    const push = await send(`${registry.origin}/v2/rig/public/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(push.status).to.equal(401);
  });
});
