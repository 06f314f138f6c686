import { expect } from 'chai';
import { filterIndexBytes } from '../../src/graph/platform-filter.js';
import { thrown } from '../rig/rejection.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;

describe('bundle: filtering an index by platform', () => {
  it('keeps only the chosen children and everything else as it was', () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: digest('a'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: digest('b'), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
      ],
      annotations: { 'x.y': 'z' },
    };
    const out = filterIndexBytes(Buffer.from(JSON.stringify(index)), new Set([digest('b')]), 'i');
    expect(JSON.parse(out.toString())).to.deep.equal({ ...index, manifests: [index.manifests[1]] });
  });

  it('refuses an index nested too deeply to write back, naming the image, not as a bug', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const index = `{"schemaVersion":2,"manifests":[],"annotations":{"x":${deep}}}`;
    const err = thrown(() =>
      filterIndexBytes(Buffer.from(index), new Set(), 'registry.example/app:1'),
    );
    expect(err.code).to.equal('E_MANIFEST_INVALID');
    expect(err.message).to.contain('registry.example/app:1');
  });
});
