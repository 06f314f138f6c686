import { expect } from 'chai';
import { planCopy, stateKey } from '../../src/copy/copy-plan.js';
import type { PlannedImage } from '../../src/copy/copy-request.js';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;
const blob = (c: string) => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: dg(c),
  size: 100,
});
const doc = (c: string) => ({
  digest: dg(c),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'manifest' as const,
  bytes: Buffer.from(c),
  children: [],
  blobs: [],
});

function image(
  repo: string,
  tag: string | undefined,
  blobs: string[],
  docs: string[],
): PlannedImage {
  const from = { registry: 'src.example', repository: repo };
  return {
    request: {
      name: `h:5000/${repo}${tag !== undefined ? `:${tag}` : ''}`,
      sourceName: repo,
      from,
      to: { repository: repo, ...(tag !== undefined ? { tag } : {}) },
    },
    graph: {
      top: { mediaType: 'x', digest: dg(docs.at(-1) ?? '0'), size: 1 },
      documents: docs.map(doc),
      blobs: blobs.map((c) => ({ ...blob(c), kind: 'layer' as const })),
      items: [],
      platforms: [],
      faults: [],
    },
  };
}

const empty = {
  blobs: new Set<string>(),
  manifests: new Set<string>(),
  tags: new Map<string, string>(),
};

describe('copy plan', () => {
  it('uploads a shared blob once and mounts it into the other repositories', () => {
    const plan = planCopy(
      [image('ns/a', '1', ['1', '2'], ['a']), image('ns/b', '1', ['1', '3'], ['b'])],
      empty,
      () => true,
    );
    expect(
      plan.blobs.map(
        (x) =>
          `${x.kind} ${x.repo} ${x.blob.digest.slice(7, 8)}${x.kind === 'mount' ? ` from ${x.from}` : ''}`,
      ),
    ).to.deep.equal(['upload ns/a 1', 'mount ns/b 1 from ns/a', 'upload ns/a 2', 'upload ns/b 3']);
  });

  it('skips what the target has, mounts from a repository that already has it', () => {
    const state = {
      ...empty,
      blobs: new Set([stateKey('ns/a', dg('1')), stateKey('ns/other', dg('2'))]),
    };
    const plan = planCopy([image('ns/a', '1', ['1', '2'], ['a'])], state, () => true);
    expect(plan.blobs.map((x) => x.kind)).to.deep.equal(['skip', 'mount']);
  });

  it('orders manifests children first and puts tags last, skipping a tag already set', () => {
    const state = { ...empty, tags: new Map([['ns/b:1', dg('b')]]) };
    const plan = planCopy(
      [image('ns/a', '1', ['1'], ['c', 'd', 'a']), image('ns/b', '1', ['1'], ['b'])],
      state,
      () => true,
    );
    expect(plan.manifests.map((m) => m.document.digest.slice(7, 8))).to.deep.equal([
      'c',
      'd',
      'a',
      'b',
    ]);
    expect(plan.tags.map((t) => `${t.repo}:${t.reference} ${t.skip}`)).to.deep.equal([
      'ns/a:1 false',
      'ns/b:1 true',
    ]);
  });

  it('does not tag digest-only images', () => {
    const plan = planCopy([image('ns/a', undefined, ['1'], ['a'])], empty, () => true);
    expect(plan.tags).to.deep.equal([]);
    expect(plan.manifests[0]!.reference).to.equal(dg('a'));
  });

  it('reports blobs neither in the bundle nor at the target, with the images that need them', () => {
    const plan = planCopy(
      [image('ns/a', '1', ['1', '2'], ['a'])],
      { ...empty, blobs: new Set([stateKey('ns/a', dg('1'))]) },
      (d) => d !== dg('2'),
    );
    expect(plan.missing).to.deep.equal([{ digest: dg('2'), images: ['h:5000/ns/a:1'] }]);
  });
});
