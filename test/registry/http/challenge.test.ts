import { expect } from 'chai';
import { challengeScopes, parseChallenges } from '../../../src/registry/http/challenge.js';

describe('WWW-Authenticate parsing', () => {
  it('reads a Basic challenge', () => {
    const [c] = parseChallenges(['Basic realm="basic-realm"']);
    expect(c).to.deep.equal({ scheme: 'basic', params: { realm: 'basic-realm' } });
  });

  it('reads a Bearer challenge with realm, service and several scopes', () => {
    const header =
      'Bearer realm="https://127.0.0.1:9999/token",service="my-registry",scope="repository:c/d:pull,push repository:a/b:pull"';
    const [c] = parseChallenges([header]);
    expect(c?.scheme).to.equal('bearer');
    expect(c?.params.realm).to.equal('https://127.0.0.1:9999/token');
    expect(c?.params.service).to.equal('my-registry');
    expect(challengeScopes(c!)).to.deep.equal(['repository:c/d:pull,push', 'repository:a/b:pull']);
  });

  it('keeps the error parameter of an insufficient-scope challenge', () => {
    const [c] = parseChallenges([
      'Bearer realm="r",service="s",scope="repository:x:push",error="insufficient_scope"',
    ]);
    expect(c?.params.error).to.equal('insufficient_scope');
  });

  it('reads two challenges in one header and unquoted tokens, case-insensitively', () => {
    const list = parseChallenges([
      'BASIC realm=simple, Bearer realm="https://auth/x", service=reg',
    ]);
    expect(list.map((c) => c.scheme)).to.deep.equal(['basic', 'bearer']);
    expect(list[0]?.params.realm).to.equal('simple');
    expect(list[1]?.params.service).to.equal('reg');
  });

  it('unescapes quoted-pair characters', () => {
    const [c] = parseChallenges(['Bearer realm="a\\"b"']);
    expect(c?.params.realm).to.equal('a"b');
  });

  it('returns nothing for an empty header', () => {
    expect(parseChallenges([])).to.deep.equal([]);
    expect(parseChallenges([''])).to.deep.equal([]);
  });
});
