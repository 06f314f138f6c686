/**
 * Progress through the built CLI with no terminal (issue 19, item 3): lines
 * for each image started and done, `--progress json` as JSON lines on
 * stderr, `--quiet` with nothing but the result.
 */
import { expect } from 'chai';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { bundleImageSet, seedRelease, writeImageSet } from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { why } from '../reliability/network-faults-kit.js';

describe('progress modes of a push with no terminal', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let bundle: string;
  let images: string[];
  let cleanup: () => Promise<void>;

  before(async () => {
    requireBuiltCli();
    source = await startRegistry('anonymous');
    const release = await seedRelease(source);
    images = release.images.map((i) => i.ref.slice(source.host.length + 1));
    const work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'b.tar.xz');
    cleanup = () => work.cleanup();
    target = await startRegistry('anonymous');
  });
  after(async () => {
    await target.stop();
    await source.stop();
    await cleanup();
  });

  const push = (ns: string, ...extra: string[]) =>
    runCli([
      'push',
      'images',
      '--source',
      bundle,
      '--private-registry',
      `${target.host}/${ns}`,
      '--plain-http',
      '--need-credential=false',
      ...extra,
    ]);

  it('lines: each image started and done, with its bytes and seconds', async () => {
    const run = await push('lines');
    expect(run.code, why(run)).to.equal(0);
    const err = run.stderr.split('\n');
    for (const image of images) {
      const pushed = `${target.host}/lines/${image}`;
      expect(
        err.some((l) => l.startsWith(`start ${pushed} (`)),
        pushed,
      ).to.equal(true);
      const done = new RegExp(`^done  ${escape(pushed)} \\(.+ KiB, [0-9.]+ s\\)$`);
      expect(
        err.some((l) => done.test(l)),
        pushed,
      ).to.equal(true);
    }
    expect(run.stdout).to.contain('pushed 4 images');
  });

  it('--progress json: every stderr line is an event with its time; the result stays on stdout', async () => {
    const run = await push('json', '--progress', 'json', '--json');
    expect(run.code, why(run)).to.equal(0);
    const events = run.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { time: string; type: string });
    expect(events.every((e) => typeof e.time === 'string' && typeof e.type === 'string')).to.equal(
      true,
    );
    const types = new Set(events.map((e) => e.type));
    for (const t of ['phase', 'images-total', 'image-start', 'bytes', 'image-done'])
      expect(types, t).to.include(t);
    expect((JSON.parse(run.stdout) as { images: number }).images).to.equal(4);
  });

  it('--quiet: nothing on stderr, the result on stdout', async () => {
    const run = await push('quiet', '--quiet');
    expect(run.code, why(run)).to.equal(0);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.contain('pushed 4 images');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
