import { expect } from 'chai';
import {
  formatReference,
  isDockerHub,
  manifestReference,
  parseReference,
  registryApiHost,
  repositoryName,
  withDigest,
  withTag,
} from '../../src/reference/index.js';
import { thrownCode } from '../rig/rejection.js';

const d256 = `sha256:${'b2'.repeat(32)}`;

describe('formatReference and helpers', () => {
  it('formats every combination of tag and digest', () => {
    expect(formatReference({ registry: 'reg:5000', repository: 'x' })).to.equal('reg:5000/x');
    expect(formatReference({ registry: 'reg:5000', repository: 'x', tag: 'v1' })).to.equal(
      'reg:5000/x:v1',
    );
    expect(formatReference({ registry: 'reg:5000', repository: 'x', digest: d256 })).to.equal(
      `reg:5000/x@${d256}`,
    );
    expect(
      formatReference({ registry: 'gcr.io', repository: 'a/b', tag: '1.0', digest: d256 }),
    ).to.equal(`gcr.io/a/b:1.0@${d256}`);
  });

  it('names the repository', () => {
    expect(repositoryName(parseReference('nginx:1'))).to.equal('docker.io/library/nginx');
    expect(repositoryName(parseReference('[::1]:5000/a/b'))).to.equal('[::1]:5000/a/b');
  });

  it('maps docker.io to its API host and leaves others alone', () => {
    expect(registryApiHost('docker.io')).to.equal('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).to.equal('ghcr.io');
    expect(registryApiHost('localhost:5000')).to.equal('localhost:5000');
    expect(registryApiHost('index.docker.io')).to.equal('index.docker.io');
  });

  it('recognises Docker Hub by any of its names', () => {
    for (const name of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      expect(isDockerHub(name), name).to.equal(true);
    }
    expect(isDockerHub('docker.io:443')).to.equal(false);
    expect(isDockerHub('ghcr.io')).to.equal(false);
  });

  it('picks the digest over the tag for manifest requests', () => {
    expect(manifestReference(parseReference(`nginx:1@${d256}`))).to.equal(d256);
    expect(manifestReference(parseReference('nginx:1'))).to.equal('1');
    expect(manifestReference({ registry: 'r.io', repository: 'x' })).to.equal('latest');
  });

  it('withTag and withDigest return new objects', () => {
    const ref = parseReference('nginx');
    const tagged = withTag(ref, '1.27');
    const pinned = withDigest(tagged, d256);
    expect(formatReference(ref)).to.equal('docker.io/library/nginx:latest');
    expect(formatReference(tagged)).to.equal('docker.io/library/nginx:1.27');
    expect(formatReference(pinned)).to.equal(`docker.io/library/nginx:1.27@${d256}`);
    expect(formatReference(withTag(pinned, 'v2'))).to.equal(`docker.io/library/nginx:v2@${d256}`);
  });

  it('withTag and withDigest validate', () => {
    const ref = parseReference('nginx');
    expect(thrownCode(() => withTag(ref, '-bad'))).to.equal('E_REF_INVALID');
    expect(thrownCode(() => withTag(ref, ''))).to.equal('E_REF_INVALID');
    expect(thrownCode(() => withDigest(ref, 'sha256:abc'))).to.equal('E_DIGEST_INVALID');
  });
});
