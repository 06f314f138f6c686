import { expect } from 'chai';
import { bestFirst } from '../../src/copy/best-first.js';
import { copyWork } from '../../src/copy/copy-plan.js';
import type { PlannedImage } from '../../src/copy/copy-request.js';
import { probeSink, readTags } from '../../src/copy/sink-probe.js';
import type { ImageSink } from '../../src/store/index.js';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;

/** Image `repo:1` of a shared base layer (300 bytes) and one layer of its own (100 bytes). */
function image(repo: string, own: string, top: string): PlannedImage {
  const from = { registry: 'src.example', repository: repo };
  const layer = (c: string, size: number) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: dg(c),
    size,
    kind: 'layer' as const,
  });
  return {
    request: {
      name: `t.example/${repo}:1`,
      sourceName: repo,
      from,
      to: { repository: repo, tag: '1' },
    },
    graph: {
      top: { mediaType: 'x', digest: dg(top), size: 1 },
      documents: [],
      blobs: [layer('b', 300), layer(own, 100)],
      items: [],
      platforms: [],
      faults: [],
    },
  };
}

/** A sink that holds nothing and answers each question only when the test says. */
function gatedSink(asked: string[]) {
  const tagGates = new Map<string, () => void>();
  const headGates: Array<() => void> = [];
  const sink = {
    description: 'a gated sink',
    tagDigest: (repo: string) =>
      new Promise<undefined>((resolve) =>
        tagGates.set(repo, () => {
          resolve(undefined);
        }),
      ),
    blobSize: (repo: string, digest: string) => {
      asked.push(`${repo}@${digest.slice(7, 8)}`);
      return new Promise<undefined>((resolve) =>
        headGates.push(() => {
          resolve(undefined);
        }),
      );
    },
    hasManifest: () => Promise.resolve(false),
  } as unknown as ImageSink;
  return { sink, tagGates, headGates };
}

const ticks = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/**
 * Probes `repos` (image i: the shared base and layer i+1) with one slot,
 * answers the tags in `tagOrder`, then each question as it is asked;
 * returns the questions in the order they were asked.
 */
async function askedOrder(
  repos: readonly string[],
  tagOrder: readonly string[],
  rank?: (digest: string) => number,
): Promise<string[]> {
  const planned = repos.map((r, i) => image(r, String(i + 1), 'cdef'.charAt(i)));
  const asked: string[] = [];
  const { sink, tagGates, headGates } = gatedSink(asked);
  const tags = readTags(
    sink,
    planned.map((p) => p.request),
    bestFirst(8),
  );
  const probe = probeSink(sink, planned, copyWork(planned), tags, bestFirst(1), rank);
  await ticks();
  expect([...tagGates.keys()]).to.have.members([...repos]);
  for (const repo of tagOrder) {
    tagGates.get(repo)?.();
    await ticks();
  }
  while (headGates.length > 0) {
    headGates.shift()?.();
    await ticks();
  }
  expect(await probe.holders(dg('b'))).to.deep.equal([]);
  return asked;
}

describe('sink probe', () => {
  it('asks about a blob in every repository before the next blob, whatever order the tags come in', async () => {
    // The last image's tag is answered first, the first image's last.
    const asked = await askedOrder(['r0', 'r1', 'r2', 'r3'], ['r3', 'r2', 'r1', 'r0']);
    expect(asked).to.deep.equal([
      'r3@b', // asked as soon as its tag was answered, while the slot was free
      'r2@b',
      'r1@b',
      'r0@b',
      'r0@1',
      'r1@2',
      'r2@3',
      'r3@4',
    ]);
  });

  it('asks in the sink’s order when it has one (the bundle writer’s), not largest first', async () => {
    // The writer wants layer 2 first, then 1, then the shared base.
    const order = [dg('2'), dg('1'), dg('b')];
    const asked = await askedOrder(['r0', 'r1'], ['r0', 'r1'], (d) => order.indexOf(d));
    // r0's questions became ready first; of those waiting, the sink's order.
    expect(asked).to.deep.equal(['r0@1', 'r1@2', 'r0@b', 'r1@b']);
  });

  it('asks next the tags that the first blob to move waits for, once the plan knows it', async () => {
    // Five images; a large layer 'z' only in r2 and r4 moves first.
    const planned = ['r0', 'r1', 'r2', 'r3', 'r4'].map((r, i) => {
      const p = image(r, String(i + 1), 'cdefa'.charAt(i));
      if (r !== 'r2' && r !== 'r4') return p;
      const z = { ...p.graph.blobs[0]!, digest: dg('z'), size: 1000 };
      return { ...p, graph: { ...p.graph, blobs: [...p.graph.blobs, z] } };
    });
    const { sink, tagGates } = gatedSink([]);
    // One slot for tags: r0 is asked at once, the others wait in the order listed.
    const tags = readTags(
      sink,
      planned.map((p) => p.request),
      bestFirst(1),
    );
    await ticks();
    expect([...tagGates.keys()]).to.deep.equal(['r0']);
    probeSink(sink, planned, copyWork(planned), tags, bestFirst(1));
    for (let i = 0; i < 4; i++) {
      [...tagGates.values()].at(-1)?.();
      await ticks();
    }
    expect([...tagGates.keys()]).to.deep.equal(['r0', 'r2', 'r4', 'r1', 'r3']);
  });
});
