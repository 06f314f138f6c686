import { expect } from 'chai';
import { BmpackError } from '../../src/errors.js';
import { formatReference, parseReference } from '../../src/reference/index.js';
import type { ImageReference } from '../../src/reference/index.js';
import { thrown } from '../rig/rejection.js';

const d256 = `sha256:${'a1'.repeat(32)}`;
const d512 = `sha512:${'0f'.repeat(64)}`;
const tag128 = `v${'x'.repeat(127)}`;
const path255 = `ns/${'a'.repeat(252)}`;

/** [input, normalised form] — expectations follow distribution/reference normalize_test.go. */
const valid: [string, string][] = [
  ['nginx', 'docker.io/library/nginx:latest'],
  ['nginx:1.27', 'docker.io/library/nginx:1.27'],
  ['library/nginx', 'docker.io/library/nginx:latest'],
  ['docker.io/nginx', 'docker.io/library/nginx:latest'],
  ['docker.io/library/nginx:latest', 'docker.io/library/nginx:latest'],
  ['index.docker.io/nginx', 'docker.io/library/nginx:latest'],
  ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
  ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
  ['docker.io/bitnami/redis', 'docker.io/bitnami/redis:latest'],
  ['docker.io/library/a/b', 'docker.io/library/a/b:latest'],
  [`gcr.io/a/b:1.0@${d256}`, `gcr.io/a/b:1.0@${d256}`],
  [`ghcr.io/org/app@${d256}`, `ghcr.io/org/app@${d256}`],
  [`nginx@${d256}`, `docker.io/library/nginx@${d256}`],
  [`nginx:1.27@${d256}`, `docker.io/library/nginx:1.27@${d256}`],
  [`quay.io/a/b@${d512}`, `quay.io/a/b@${d512}`],
  ['gcr.io/nginx', 'gcr.io/nginx:latest'],
  ['localhost/app', 'localhost/app:latest'],
  ['localhost/nginx', 'localhost/nginx:latest'],
  ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
  // Upstream quirk: a lone `host:port` is repository `localhost`, tag `5000`.
  ['localhost:5000', 'docker.io/library/localhost:5000'],
  [`reg:5000/x@${d256}`, `reg:5000/x@${d256}`],
  ['myreg:5000/x', 'myreg:5000/x:latest'],
  ['127.0.0.1:5000/team/app', '127.0.0.1:5000/team/app:latest'],
  ['10.0.0.1/app', '10.0.0.1/app:latest'],
  ['[::1]:5000/app:v1', '[::1]:5000/app:v1'],
  ['[2001:db8::1]/app', '[2001:db8::1]/app:latest'],
  ['Example.COM/app', 'Example.COM/app:latest'],
  // Uppercase in the first component makes it a host (repositories are lowercase).
  ['REGISTRY/app', 'REGISTRY/app:latest'],
  ['quay.io/a/b/c/d:tag', 'quay.io/a/b/c/d:tag'],
  ['my-registry.example.com:443/ns/img', 'my-registry.example.com:443/ns/img:latest'],
  ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
  ['a.b.c/img_name', 'a.b.c/img_name:latest'],
  ['foo/bar__baz', 'docker.io/foo/bar__baz:latest'],
  ['foo/a---b', 'docker.io/foo/a---b:latest'],
  ['foo/a.b-c_d', 'docker.io/foo/a.b-c_d:latest'],
  ['nginx:Latest_TAG-1.0', 'docker.io/library/nginx:Latest_TAG-1.0'],
  ['nginx:_x', 'docker.io/library/nginx:_x'],
  [`nginx:${tag128}`, `docker.io/library/nginx:${tag128}`],
  [`reg.io/${path255}`, `reg.io/${path255}:latest`],
  ['0/1', 'docker.io/0/1:latest'],
];

/** [input, expected code] */
const invalid: [string, string][] = [
  ['', 'E_REF_INVALID'],
  [' nginx', 'E_REF_INVALID'],
  ['nginx ', 'E_REF_INVALID'],
  ['a\tb', 'E_REF_INVALID'],
  ['Nginx', 'E_REF_INVALID'],
  ['docker.io/Library/nginx', 'E_REF_INVALID'],
  ['ghcr.io/Org/app:v1', 'E_REF_INVALID'],
  ['a//b', 'E_REF_INVALID'],
  ['foo/', 'E_REF_INVALID'],
  ['/foo', 'E_REF_INVALID'],
  ['reg.io/a/', 'E_REF_INVALID'],
  ['foo/-bar', 'E_REF_INVALID'],
  ['foo/bar-', 'E_REF_INVALID'],
  ['foo/a..b', 'E_REF_INVALID'],
  ['foo/a___b', 'E_REF_INVALID'],
  ['foo/a._b', 'E_REF_INVALID'],
  ['nginx:', 'E_REF_INVALID'],
  ['nginx:.x', 'E_REF_INVALID'],
  ['nginx:-x', 'E_REF_INVALID'],
  [`nginx:${tag128}x`, 'E_REF_INVALID'],
  ['nginx:1.0:2', 'E_REF_INVALID'],
  ['nginx:a+b', 'E_REF_INVALID'],
  ['nginx@sha256:abc', 'E_REF_INVALID'],
  [`nginx@sha256:${'A1'.repeat(32)}`, 'E_REF_INVALID'],
  [`nginx@md5:${'a'.repeat(32)}`, 'E_REF_INVALID'],
  [`nginx@sha512:${'a'.repeat(64)}`, 'E_REF_INVALID'],
  ['nginx@', 'E_REF_INVALID'],
  [`nginx@${d256}@${d256}`, 'E_REF_INVALID'],
  [`reg.io/${path255}b`, 'E_REF_INVALID'],
  ['a'.repeat(64), 'E_REF_INVALID'],
  ['foo_bar.com/x', 'E_REF_INVALID'],
  ['reg:port/x', 'E_REF_INVALID'],
  ['-reg.io/x', 'E_REF_INVALID'],
  ['https://gcr.io/a', 'E_REF_INVALID'],
  ['[::1/x', 'E_REF_INVALID'],
  ['ngïnx', 'E_REF_INVALID'],
];

describe('parseReference', () => {
  describe('normalises valid references', () => {
    for (const [input, normalised] of valid) {
      it(`${JSON.stringify(input)} → ${normalised}`, () => {
        const ref = parseReference(input);
        expect(formatReference(ref)).to.equal(normalised);
        // The normal form is a fixed point.
        expect(parseReference(normalised)).to.deep.equal(ref);
      });
    }
  });

  describe('rejects invalid references', () => {
    for (const [input, code] of invalid) {
      it(`${JSON.stringify(input)} → ${code}`, () => {
        const err = thrown(() => parseReference(input));
        expect(err.code).to.equal(code);
        expect(err.message).to.include(JSON.stringify(input));
        expect(err.hint).to.be.a('string').and.not.equal('');
        expect(err.cause).to.be.instanceOf(Error);
      });
    }
  });

  it('splits the parts', () => {
    expect(parseReference('nginx')).to.deep.equal({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
    } satisfies ImageReference);
    expect(parseReference(`localhost:5000/a/b:v1@${d256}`)).to.deep.equal({
      registry: 'localhost:5000',
      repository: 'a/b',
      tag: 'v1',
      digest: d256,
    } satisfies ImageReference);
  });

  it('adds no default tag when a digest is given', () => {
    const ref = parseReference(`nginx@${d256}`);
    expect(ref).to.not.have.property('tag');
    expect(ref.digest).to.equal(d256);
  });

  it('keeps the digest error as the cause of a bad digest', () => {
    const err = thrown(() => parseReference('nginx@sha256:abc'));
    expect(err.cause).to.be.instanceOf(BmpackError);
    expect((err.cause as BmpackError).code).to.equal('E_DIGEST_INVALID');
  });
});
