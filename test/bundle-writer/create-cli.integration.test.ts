import { watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { repoRoot as root, startCli } from '../rig/cli.js';
import { startFaultProxy, type FaultProxy } from '../rig/fault-proxy.js';
import { makeImage, type GeneratedImage } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';

describe('bmpack bundle create (command)', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  /** In front of reg: the interruption tests hold a layer there, so the signal lands mid-build. */
  let proxy: FaultProxy;
  let big: GeneratedImage;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  /** The image set naming the image through the proxy. */
  let slow: Awaited<ReturnType<typeof writeImageSet>>;
  let reference: string;
  let slowReference: string;

  before(async () => {
    reg = await startRegistry('anonymous');
    proxy = await startFaultProxy(reg);
    big = makeImage({ seed: 201, layers: 2, layerSize: 48 * 1024 * 1024, format: 'oci' });
    await seedImage(reg, big, 'big/app:1');
    work = await writeImageSet([`${reg.host}/big/app:1`], '2.0.0');
    slow = await writeImageSet([`${proxy.host}/big/app:1`], '2.0.0');
    const build = async (file: string, dir: string, host: string): Promise<string> =>
      (
        await createBundle({
          manifests: [file],
          output: join(dir, 'reference.tar.xz'),
          cacheDir: join(dir, 'ref-cache'),
          insecureRegistries: [host],
          env: {},
        })
      ).sha256;
    reference = await build(work.file, work.dir, reg.host);
    slowReference = await build(slow.file, slow.dir, proxy.host);
  });
  after(async () => {
    await work.cleanup();
    await slow.cleanup();
    await proxy.stop();
    await reg.stop();
  });
  afterEach(() => {
    proxy.clearRules();
  });

  /** `bundle create` of the big image, with `extra` arguments. */
  const createArgs = (...extra: string[]): string[] => {
    const from = ['--manifest', work.file, '--insecure-registry', reg.host];
    return ['bundle', 'create', ...from, ...extra];
  };

  it('prints the result as JSON with --json', async () => {
    const { stdout, error } = await runCommand(
      createArgs(
        '--cache-dir',
        join(work.dir, 'ref-cache'),
        '--output',
        join(work.dir, 'json.tar.xz'),
        '--json',
      ),
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(out)).to.include.members([
      'output',
      'sha256',
      'images',
      'blobs',
      'bytes',
      'dedupedBytes',
      'seconds',
    ]);
    expect(out.sha256).to.equal(reference);
    expect(out.images).to.equal(1);
  });

  it('names the default output after the manifest version, in the current folder', async () => {
    const cwd = process.cwd();
    process.chdir(work.dir);
    try {
      const { stdout, error } = await runCommand(
        createArgs('--cache-dir', join(work.dir, 'ref-cache'), '--json'),
        { root },
      );
      expect(error).to.equal(undefined);
      expect((JSON.parse(stdout) as { output: string }).output).to.equal(
        join(work.dir, 'bmpackages_2.0.0.tar.xz'),
      );
      expect(await exists(join(work.dir, 'bmpackages_2.0.0.tar.xz.sha256'))).to.equal(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('leaves no file at the output when killed with -9 mid-write, and the re-run is identical', async () => {
    const output = join(slow.dir, 'killed.tar.xz');
    const cache = join(slow.dir, 'kill-cache');
    const { code, signal } = await runUntilTemp(
      ['--output', output, '--cache-dir', cache],
      'SIGKILL',
      slow.dir,
    );
    expect(signal ?? code).to.equal('SIGKILL');
    expect(await exists(output)).to.equal(false);
    proxy.clearRules();
    const cached = await completeCacheEntries(cache);
    const again = await createBundle({
      manifests: [slow.file],
      output,
      cacheDir: cache,
      insecureRegistries: [proxy.host],
      env: {},
    });
    expect(again.sha256).to.equal(slowReference);
    // 3 blobs (config and two layers): what the killed run finished is reused, the rest fetched.
    expect(again.fetchedBlobs).to.equal(3 - cached);
    expect(
      (await readdir(slow.dir)).filter((n) => n.startsWith('.killed.tar.xz.tmp-')),
    ).to.deep.equal([]);
    const leftovers = (await readdir(join(cache, 'blobs', 'sha256'))).filter((n) =>
      n.includes('.tmp-'),
    );
    expect(leftovers).to.deep.equal([]);
  });

  it('stops on Ctrl-C with exit code 130, removes its temp file and says how to resume', async () => {
    const output = join(slow.dir, 'int.tar.xz');
    const { code, stderr } = await runUntilTemp(
      ['--output', output, '--cache-dir', join(slow.dir, 'int-cache')],
      'SIGINT',
      slow.dir,
    );
    expect(code).to.equal(130);
    expect(stderr).to.contain('E_INTERRUPTED');
    expect(stderr).to.contain('again');
    expect(await exists(output)).to.equal(false);
    expect((await readdir(slow.dir)).filter((n) => n.startsWith('.int.tar.xz.tmp-'))).to.deep.equal(
      [],
    );
  });

  /**
   * Run the CLI on the image set through the proxy, with the second layer
   * held there for a minute after its first KiB (so the build is still
   * writing, however fast the machine), and send `sig` as soon as its
   * temporary output file appears: the folder is watched (inotify), so the
   * moment is seen however briefly it lasts.
   */
  async function runUntilTemp(
    args: string[],
    sig: NodeJS.Signals,
    dir: string,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const held = big.layers[1]?.digest ?? '';
    proxy.addRule({
      match: (r) => r.method === 'GET' && r.path.includes(`/blobs/${held}`),
      action: { kind: 'stall', ms: 60_000 },
    });
    const sent = { signal: false };
    const watcher = watch(dir, (_event, name) => {
      if (!sent.signal && name?.includes('.tar.xz.tmp-') === true) {
        sent.signal = true;
        cli.child.kill(sig);
      }
    });
    // Started after the watch, so that no file it makes can go unseen.
    const cli = startCli([
      ...['bundle', 'create', '--manifest', slow.file, '--insecure-registry', proxy.host],
      ...args,
    ]);
    try {
      const run = await cli.done;
      if (!sent.signal) {
        throw new Error(`the build finished before it could be interrupted: ${run.stderr}`);
      }
      return run;
    } finally {
      watcher.close();
    }
  }
});

/** Blobs whose cache entry is complete (temporary files of the killed run do not count). */
async function completeCacheEntries(cache: string): Promise<number> {
  const names = await readdir(join(cache, 'blobs', 'sha256')).catch(() => []);
  return names.filter((n) => !n.startsWith('.')).length;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
