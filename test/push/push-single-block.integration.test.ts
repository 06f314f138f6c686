/**
 * A single-block .tar.xz can only be decoded from its start. A bmpack bundle
 * recompressed that way still lists every blob up front (bmpack.json), so
 * push reads it in one forward pass. Any other layout says what it holds
 * only by its entries, which may come in any order (index.json last, say):
 * push scans it first, so that the closure check comes before any write,
 * then reads it again while uploading. Passes are counted by what the
 * process reads from files (/proc/self/io rchar), against the file's size.
 * With xz on PATH the same passes run through `xz -d` (a test below).
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { pushImages } from '../../src/push/push-images.js';
import { readXzIndex } from '../../src/xz/index.js';
import { bundleImageSet, seedRelease, writeImageSet } from '../rig/release-fixture.js';
import { runTool } from '../rig/processes.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';

/** Bytes this process has read through read(2) and friends so far. */
async function bytesRead(): Promise<number> {
  const io = await readFile('/proc/self/io', 'utf8');
  const m = /^rchar: (\d+)$/m.exec(io);
  if (m?.[1] === undefined) throw new Error(`no rchar in /proc/self/io:\n${io}`);
  return Number(m[1]);
}

describe('push images from a single-block .tar.xz', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let recompressed: string;
  let foreign: string;

  before(async () => {
    source = await startRegistry('anonymous');
    // An 8 MB layer: the bundle is large next to what the plan reads.
    const release = await seedRelease(source, 8_000_000);
    work = await writeImageSet(release.images.map((i) => i.ref));
    const bundle = await bundleImageSet(source, work, 'b.tar.xz');
    const xz = requireTool('xz', 'xz-utils');
    const tar = requireTool('tar', 'tar');
    recompressed = join(work.dir, 'recompressed.tar.xz');
    await runTool('sh', ['-c', `${xz} -dc "${bundle}" | ${xz} -T1 -0 > "${recompressed}"`]);
    const layout = join(work.dir, 'layout');
    await mkdir(layout);
    await runTool(tar, ['-xJf', bundle, '-C', layout]);
    await rm(join(layout, 'bmpack.json'));
    foreign = join(work.dir, 'foreign.tar.xz');
    await runTool('sh', ['-c', `${tar} -cf - -C "${layout}" . | ${xz} -T1 -0 > "${foreign}"`]);
    for (const file of [recompressed, foreign])
      expect((await readXzIndex(file)).blocks, file).to.have.length(1);
  });
  after(async () => {
    await work.cleanup();
    await source.stop();
  });

  /**
   * Read passes over `file`, counted with the WebAssembly decoder: with xz
   * on PATH, a child process would do the reading (xz-tool-decoder.ts).
   */
  async function passesOver(file: string): Promise<number> {
    const reg = await startRegistry('anonymous');
    process.env.BMPACK_XZ_TOOL = '0';
    try {
      const before = await bytesRead();
      const result = await pushImages({
        source: file,
        privateRegistry: `${reg.host}/one`,
        host: { plainHttp: true },
      });
      expect(result.images).to.equal(4);
      return ((await bytesRead()) - before) / (await stat(file)).size;
    } finally {
      delete process.env.BMPACK_XZ_TOOL;
      await reg.stop();
    }
  }

  it('reads a bmpack bundle recompressed into one Block once', async () => {
    const passes = await passesOver(recompressed);
    expect(passes).to.be.above(0.9).and.below(1.5);
  });

  it('scans any other layout before pushing from it, then reads it once more', async () => {
    const passes = await passesOver(foreign);
    expect(passes).to.be.above(1.9).and.below(2.5);
  });

  it('decodes through xz when it is on PATH, and pushes the same images', async () => {
    // A wrapper on PATH that notes each run, then runs the real xz.
    const bin = join(work.dir, 'bin');
    const log = join(work.dir, 'xz-runs.log');
    await mkdir(bin);
    const real = requireTool('xz', 'xz-utils');
    await writeFile(join(bin, 'xz'), `#!/bin/sh\necho run >> "${log}"\nexec "${real}" "$@"\n`, {
      mode: 0o755,
    });
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    const reg = await startRegistry('anonymous');
    try {
      const viaTool = await pushImages({
        source: foreign,
        privateRegistry: `${reg.host}/tool`,
        host: { plainHttp: true },
      });
      expect((await readFile(log, 'utf8')).split('\n').filter(Boolean).length).to.be.at.least(2);
      process.env.BMPACK_XZ_TOOL = '0';
      const viaWasm = await pushImages({
        source: foreign,
        privateRegistry: `${reg.host}/wasm`,
        host: { plainHttp: true },
      });
      expect(viaWasm.blobsUploaded + viaWasm.blobsMounted).to.equal(
        viaTool.blobsUploaded + viaTool.blobsMounted,
      );
      expect(viaTool.images).to.equal(4);
    } finally {
      process.env.PATH = path;
      delete process.env.BMPACK_XZ_TOOL;
      await reg.stop();
    }
  });

  it('pushes foreign LZMA archives through the built CLI: multi-block with and without xz, single-block without', async () => {
    requireBuiltCli();
    const layoutTar = join(work.dir, 'layout.tar');
    await runTool('sh', [
      '-c',
      `${requireTool('xz', 'xz-utils')} -dc "${foreign}" > "${layoutTar}"`,
    ]);
    const multi = join(work.dir, 'multi.tar.xz');
    await runTool('sh', [
      '-c',
      `${requireTool('xz', 'xz-utils')} -T2 --block-size=256KiB -c "${layoutTar}" > "${multi}"`,
    ]);
    expect((await readXzIndex(multi)).blocks.length).to.be.greaterThan(1);
    const reg = await startRegistry('anonymous');
    try {
      for (const [file, env] of [
        [multi, {}],
        [multi, { BMPACK_XZ_TOOL: '0' }],
        [foreign, { BMPACK_XZ_TOOL: '0' }],
      ] as const) {
        const run = await runCli(
          ['push', 'images', '--source', file, '--private-registry', `${reg.host}/cli`].concat([
            '--plain-http',
            '--need-credential=false',
            '--json',
          ]),
          { cwd: work.dir, env },
        );
        expect(run.code, `${run.argv}\n${run.stderr}`).to.equal(0);
        expect((JSON.parse(run.stdout) as { images: number }).images).to.equal(4);
      }
    } finally {
      await reg.stop();
    }
  });
});
