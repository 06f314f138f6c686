import { expect } from 'chai';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { libtrustKeyId } from './jwt.js';
import { basic, send } from './test-http.js';
import { startTokenServer, type TokenServer } from './token-server.js';

interface Jwt {
  header: { alg: string; kid: string; typ: string };
  claims: {
    iss: string;
    aud: unknown;
    sub: string;
    exp: number;
    access: Array<{ type: string; name: string; actions: string[] }>;
  };
}

function decode(token: string): Jwt {
  const [header = '', claims = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Jwt['header'],
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Jwt['claims'],
  };
}

function json(body: Buffer): Record<string, unknown> {
  return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
}

function form(fields: Record<string, string>): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

describe('rig token server', () => {
  let server: TokenServer;
  before(async () => {
    server = await startTokenServer({
      service: 'svc',
      issuer: 'iss',
      alg: 'ES256',
      users: { alice: 'secret' },
    });
  });
  after(() => server.stop());

  it('names its key by the libtrust fingerprint of the certificate it publishes', async () => {
    const cert = new X509Certificate(await readFile(server.rootCertFile));
    const kid = libtrustKeyId(
      createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' })),
    );
    expect(kid).to.match(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    const token = server.mint([]);
    expect(decode(token).header).to.deep.equal({ typ: 'JWT', alg: 'ES256', kid });
  });

  it('GET with Basic auth grants pull,push on repositories with aud as a string', async () => {
    const url = `${server.realm}?service=svc&scope=repository:a/b:pull,push&scope=repository:c:pull`;
    const res = await send(url, { headers: { authorization: basic('alice', 'secret') } });
    expect(res.status).to.equal(200);
    const body = json(res.body);
    expect(body['token']).to.be.a('string').and.equal(body['access_token']);
    const { claims } = decode(String(body['token']));
    expect(claims.iss).to.equal('iss');
    expect(claims.aud).to.equal('svc');
    expect(claims.sub).to.equal('alice');
    expect(claims.exp).to.be.greaterThan(Date.now() / 1000);
    expect(claims.access).to.deep.equal([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c', actions: ['pull'] },
    ]);
    expect(server.requests.at(-1)).to.deep.include({
      method: 'GET',
      scopes: ['repository:a/b:pull,push', 'repository:c:pull'],
      username: 'alice',
      status: 200,
    });
  });

  it('keeps a registry port inside the scope name', async () => {
    const res = await send(`${server.realm}?scope=repository:reg:5000/a:pull`, {
      headers: { authorization: basic('alice', 'secret') },
    });
    const { claims } = decode(String(json(res.body)['token']));
    expect(claims.access).to.deep.equal([
      { type: 'repository', name: 'reg:5000/a', actions: ['pull'] },
    ]);
  });

  it('answers 401 to a wrong password, on GET and POST', async () => {
    const get = await send(`${server.realm}?service=svc&scope=repository:a:pull`, {
      headers: { authorization: basic('alice', 'wrong') },
    });
    expect(get.status).to.equal(401);
    const post = await send(server.realm, {
      method: 'POST',
      ...form({ grant_type: 'password', username: 'alice', password: 'wrong', client_id: 't' }),
    });
    expect(post.status).to.equal(401);
  });

  it('gives anonymous requests an empty grant unless anonymous pull is on', async () => {
    const res = await send(`${server.realm}?service=svc&scope=repository:a:pull`);
    expect(res.status).to.equal(200);
    expect(decode(String(json(res.body)['token'])).claims.access).to.deep.equal([]);
    expect(server.requests.at(-1)?.username).to.equal(undefined);
  });

  it('POST password grant returns access and refresh tokens; the refresh grant works', async () => {
    const first = await send(server.realm, {
      method: 'POST',
      ...form({
        grant_type: 'password',
        username: 'alice',
        password: 'secret',
        client_id: 'bmpack',
        access_type: 'offline',
        service: 'svc',
        scope: 'repository:a:pull repository:b:pull,push',
      }),
    });
    expect(first.status).to.equal(200);
    const body = json(first.body);
    expect(body['refresh_token']).to.be.a('string');
    expect(decode(String(body['access_token'])).claims.access).to.have.length(2);
    expect(server.requests.at(-1)).to.deep.include({
      method: 'POST',
      grantType: 'password',
      clientId: 'bmpack',
      scopes: ['repository:a:pull', 'repository:b:pull,push'],
    });

    const refreshed = await send(server.realm, {
      method: 'POST',
      ...form({
        grant_type: 'refresh_token',
        refresh_token: String(body['refresh_token']),
        client_id: 'bmpack',
        scope: 'repository:c:push',
      }),
    });
    expect(refreshed.status).to.equal(200);
    const claims = decode(String(json(refreshed.body)['access_token'])).claims;
    expect(claims.sub).to.equal('alice');
    expect(claims.access).to.deep.equal([{ type: 'repository', name: 'c', actions: ['push'] }]);

    const bogus = await send(server.realm, {
      method: 'POST',
      ...form({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'bmpack' }),
    });
    expect(bogus.status).to.equal(401);
  });

  it('POST without client_id is a 400', async () => {
    const res = await send(server.realm, {
      method: 'POST',
      ...form({ grant_type: 'password', username: 'alice', password: 'secret' }),
    });
    expect(res.status).to.equal(400);
  });

  it('can refuse POST (to force the GET fallback) and answer with one token field', async () => {
    const other = await startTokenServer({
      service: 'svc',
      issuer: 'iss',
      alg: 'RS256',
      users: {},
      postStatus: 404,
      responseField: 'access_token',
      anonymousPull: true,
    });
    try {
      const post = await send(other.realm, {
        method: 'POST',
        ...form({ grant_type: 'password', username: 'x', password: 'y', client_id: 'c' }),
      });
      expect(post.status).to.equal(404);
      const get = await send(`${other.realm}?service=svc&scope=repository:a:pull,push`);
      const body = json(get.body);
      expect(body).to.not.have.property('token');
      const { header, claims } = decode(String(body['access_token']));
      expect(header.alg).to.equal('RS256');
      expect(claims.access).to.deep.equal([{ type: 'repository', name: 'a', actions: ['pull'] }]);
    } finally {
      await other.stop();
    }
  });
});
