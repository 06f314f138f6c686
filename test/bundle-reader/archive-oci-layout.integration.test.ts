import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import type { BundleSource } from '../../src/bundle-reader/index.js';
import { MediaType } from '../../src/oci/media-types.js';
import { readXzIndex } from '../../src/xz/index.js';
import { seedRelease, type ReleaseFixture } from '../rig/release-fixture.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { withBothDecoders } from '../xz/xz-kit.js';
import { checkAllBlobs, readStream, runSkopeo, sha256, tar, xz } from './archive-kit.js';
import { rejection } from '../rig/rejection.js';

/**
 * OCI image layouts written by skopeo (not by bmpack), packed by GNU tar
 * with and without `./` prefixes, and compressed by xz-utils as one block
 * and as many.
 */
describe('archive: skopeo OCI layouts in tar and tar.xz', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: TrackedDir;
  let layout: string;
  /** ref.name → manifest digest, as skopeo reads the layout back. */
  const expected = new Map<string, string>();
  const at = (name: string): string => join(work.path, name);

  before(async () => {
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg, 2_000_000);
    work = await makeTempDir('bmpack-archive-oci-');
    layout = at('layout');
    const [multi, docker, , repeated] = release.images;
    // Names as each convention writes them: a full reference, a path with a
    // tag, a bare tag; and one copy of a whole multi-arch index (--all).
    const copies: Array<[string, string, string[]]> = [
      [multi!.ref, multi!.ref, []],
      [docker!.ref, 'release/docker:1.0', []],
      [repeated!.ref, '2', []],
      [multi!.ref, 'release/multi:all', ['--all']],
    ];
    for (const [src, name, extra] of copies) {
      await runSkopeo(work.path, [
        'copy',
        ...extra,
        '--src-tls-verify=false',
        `docker://${src}`,
        `oci:${layout}:${name}`,
      ]);
      const raw = await runSkopeo(work.path, ['inspect', '--raw', `oci:${layout}:${name}`]);
      expected.set(name, sha256(raw));
    }
    await runTool(tar(), ['-cf', at('dot.tar'), '-C', layout, '.']);
    await runTool(tar(), [
      '-cf',
      at('plain.tar'),
      '-C',
      layout,
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    await runTool('sh', ['-c', `${xz()} -T1 -c "${at('dot.tar')}" > "${at('single.tar.xz')}"`]);
    await runTool('sh', [
      '-c',
      `${xz()} -T2 --block-size=64KiB -c "${at('plain.tar')}" > "${at('multi.tar.xz')}"`,
    ]);
  });
  after(async () => {
    await work.stop();
    await reg.stop();
  });

  async function checkLayout(source: BundleSource): Promise<void> {
    expect(source.kind).to.equal('oci-layout');
    expect(source.metadata).to.equal(undefined);
    expect(source.images.map((i) => [i.name, i.descriptor.digest])).to.deep.equal([...expected]);
    // Every manifest reachable from index.json, through the nested index.
    const seen = new Set<string>();
    const visit = async (digest: string): Promise<void> => {
      seen.add(digest);
      const doc = JSON.parse((await source.readDocument(digest)).toString()) as {
        manifests?: Array<{ digest: string }>;
        config?: { digest: string };
      };
      for (const child of doc.manifests ?? []) await visit(child.digest);
      if (doc.config !== undefined) {
        const config = await source.readDocument(doc.config.digest);
        expect(sha256(config)).to.equal(doc.config.digest);
      }
    };
    for (const image of source.images) await visit(image.descriptor.digest);
    const nested = source.images.find((i) => i.name === 'release/multi:all')!;
    expect(nested.descriptor.mediaType).to.equal(MediaType.ociIndex);
    expect(nested.descriptor.digest).to.equal(release.images[0]!.item.manifestDigest);
    expect(seen.size).to.be.greaterThan(source.images.length);
    const total = await checkAllBlobs(source, 5);
    expect(total).to.be.greaterThan(2_000_000);
  }

  for (const [file, randomAccess, blocks] of [
    ['dot.tar', true, 0],
    ['plain.tar', true, 0],
    ['single.tar.xz', false, 1],
    ['multi.tar.xz', true, 30],
  ] as const) {
    it(`reads ${file}: names as written, nested index, every blob byte for byte`, async () => {
      if (blocks > 0) {
        const count = (await readXzIndex(at(file))).blocks.length;
        if (blocks === 1) expect(count).to.equal(1);
        else expect(count).to.be.greaterThan(blocks);
      }
      // LZMA files are read with xz on PATH, then with WebAssembly only.
      await withBothDecoders(async () => {
        const source = await openBundleSource(at(file));
        try {
          expect(source.randomAccess).to.equal(randomAccess);
          await checkLayout(source);
        } finally {
          await source.close();
        }
      });
    });
  }

  it('refuses a multi-block .tar.xz with a damaged Block at open, naming the file, with either decoder', async () => {
    const bytes = await readFile(at('multi.tar.xz'));
    const index = await readXzIndex(at('multi.tar.xz'));
    const block = index.blocks[Math.floor(index.blocks.length / 2)]!;
    const at0 = block.compressedOffset + Math.floor(block.unpaddedSize / 2);
    bytes[at0] = (bytes[at0] ?? 0) ^ 0x55;
    const damaged = at('damaged.tar.xz');
    await writeFile(damaged, bytes);
    await withBothDecoders(async (decoder) => {
      const err = await rejection(openBundleSource(damaged));
      expect(err.code, decoder).to.equal('E_XZ_INVALID');
      expect(err.message, decoder).to.contain(damaged);
    });
  });

  it('serves a single-block .tar.xz in blobOrder, restarts for an earlier blob, and serialises reads', async () => {
    const source = await openBundleSource(at('single.tar.xz'));
    try {
      const order = source.blobOrder;
      const last = order.at(-1)!;
      const first = order[0]!;
      expect(sha256(await readStream(source.openBlob(last)))).to.equal(last);
      // Earlier than where the decoder stands: decoded again from the start.
      expect(sha256(await readStream(source.openBlob(first)))).to.equal(first);
      // A stream destroyed half-way leaves the decoder where it stopped.
      const big = [...order].sort((a, b) => source.blobSize(b)! - source.blobSize(a)!)[0]!;
      const partial = source.openBlob(big);
      for await (const chunk of partial) {
        expect(chunk.length).to.be.greaterThan(0);
        break;
      }
      expect(sha256(await readStream(source.openBlob(last)))).to.equal(last);
      // Two reads started together are served one after the other.
      const [a, b] = await Promise.all([
        readStream(source.openBlob(order[2]!)),
        readStream(source.openBlob(order[1]!)),
      ]);
      expect([sha256(a), sha256(b)]).to.deep.equal([order[2], order[1]]);
    } finally {
      await source.close();
    }
  });

  it('treats a docker save archive with an OCI index.json (docker 25+) as a layout', async () => {
    const dir = at('docker25');
    await runTool('cp', ['-r', layout, dir]);
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify([{ Config: 'blobs/sha256/x', RepoTags: ['a:1'], Layers: [] }]),
    );
    const file = at('docker25.tar');
    await runTool(tar(), ['-cf', file, '-C', dir, '.']);
    const source = await openBundleSource(file);
    try {
      expect(source.kind).to.equal('oci-layout');
      expect(source.images.map((i) => i.name)).to.deep.equal([...expected.keys()]);
    } finally {
      await source.close();
    }
  });
});
