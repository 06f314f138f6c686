/**
 * Issue #7, interruption: the built CLI stopped by Ctrl-C (SIGINT) or killed
 * with -9 at several moments of `bundle create` and `push images`. A fault
 * proxy in front of the real registries holds one transfer open, so each
 * moment is reached by observation, not by timing: the test waits until the
 * proxy (or the file system) shows the moment, then sends the signal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli, startCli, type RunningCli } from '../rig/cli.js';
import type { ReleaseFixture } from '../rig/release-fixture.js';
import { startFaultProxy, type FaultProxy } from '../rig/fault-proxy.js';
import { blobsOf } from '../rig/image-generator.js';
import type { TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import {
  cliEnv,
  digestsAt,
  errorOf,
  jsonOf,
  referenceBundle,
  startFaultRig,
  tempFilesUnder,
  isBlobGet,
  isUploadPut,
  why,
} from './network-faults-kit.js';

/** Longer than any test: a held transfer never ends by itself. */
const holdMs = 120_000;

describe('interruption: Ctrl-C and kill -9 of create and push, then resume', function () {
  this.timeout(60_000);
  let release: ReleaseFixture;
  let faults: FaultProxy;
  let dir: TrackedDir;
  let list: string;
  let reference: Buffer;
  let bundle: string;
  let blobs: Array<{ digest: string; size: number }>;
  const cleanups: Array<() => Promise<void>> = [];
  const faulted = (proxy: FaultProxy, kind: string) => (): boolean =>
    proxy.requests.some((r) => r.fault === kind);

  before(async function () {
    this.timeout(120_000);
    const rig = await startFaultRig('bmpack-interrupt-', cleanups);
    ({ release, blobs, faults, dir } = rig);
    const ref = await referenceBundle(rig, faults.host, 'reference', cleanups);
    list = ref.list;
    bundle = ref.file;
    reference = ref.bytes;
  });
  beforeEach(() => {
    faults.clearRules();
    faults.requests.length = 0;
  });
  after(async () => {
    // In reverse start order; what never started (a failed before) is not there.
    for (const stop of cleanups.reverse()) await stop();
  });

  const createArgs = (name: string): string[] => [
    'bundle',
    'create',
    '--manifest',
    list,
    '--insecure-registry',
    faults.host,
    '--cache-dir',
    join(dir.path, `${name}-cache`),
    // What these tests resume from: every fetched blob kept in the cache.
    '--cache-blobs',
    '--output',
    join(dir.path, `${name}.tar.xz`),
    '--json',
  ];
  /** The biggest layer's download: sends 100 kB, then holds the connection open. */
  const holdBigDownload = (): void => {
    faults.addRule({
      match: isBlobGet(blobs[0]!.digest),
      action: { kind: 'stall', ms: holdMs, afterBytes: 100_000 },
    });
  };
  /** Blobs completely in a cache (a killed run's temporary files do not count). */
  const cached = async (name: string): Promise<number> =>
    (await readdir(join(dir.path, `${name}-cache`, 'blobs', 'sha256')).catch(() => [])).filter(
      (n) => !n.startsWith('.'),
    ).length;
  const outputTemps = async (name: string): Promise<string[]> =>
    (await readdir(dir.path)).filter((n) => n.startsWith(`.${name}.tar.xz.tmp-`));

  it('create: kill -9 at three moments leaves nothing at the output; the re-run reuses the cache and is byte-identical', async () => {
    const name = 'killed';
    const moments: Array<{ moment: string; hold: () => void; reached: () => Promise<boolean> }> = [
      {
        moment: 'while resolving, a manifest request held',
        hold: () => {
          faults.addRule({
            match: (r) => r.path.includes('/manifests/'),
            times: 1,
            action: { kind: 'hang', ms: holdMs },
          });
        },
        reached: () => Promise.resolve(faulted(faults, 'hang')()),
      },
      {
        moment: 'mid-blob, every other blob in the cache',
        hold: holdBigDownload,
        reached: async () =>
          faulted(faults, 'stall')() && (await cached(name)) === blobs.length - 1,
      },
      {
        // The writer fills 1 MiB slots before it writes (hashed-file-sink.ts): what comes
        // before the stalled blob may not fill one, so the file may still be empty.
        moment: 'while writing the output, its temporary file open',
        hold: holdBigDownload,
        reached: async () => faulted(faults, 'stall')() && (await outputTemps(name)).length > 0,
      },
    ];
    for (const m of moments) {
      faults.clearRules();
      faults.requests.length = 0;
      m.hold();
      const cli = startCli(createArgs(name), { env: cliEnv() });
      await waitFor(m.reached, m.moment, cli);
      cli.child.kill('SIGKILL');
      const run = await cli.done;
      expect(run.signal, `${m.moment}: ${why(run)}`).to.equal('SIGKILL');
      expect(await exists(join(dir.path, `${name}.tar.xz`)), m.moment).to.equal(false);
      expect(await exists(join(dir.path, `${name}.tar.xz.sha256`)), m.moment).to.equal(false);
    }
    faults.clearRules();
    const before = await cached(name);
    expect(before, 'blobs the killed runs left complete in the cache').to.equal(blobs.length - 1);
    const done = await runCli(createArgs(name), { env: cliEnv() });
    expect(done.code, why(done)).to.equal(0);
    expect(jsonOf(done).fetchedBlobs).to.equal(blobs.length - before);
    expect((await readFile(join(dir.path, `${name}.tar.xz`))).equals(reference)).to.be.true;
    // The killed runs' temporary files (output and cache) are gone after the re-run.
    expect(await tempFilesUnder(dir.path)).to.deep.equal([]);
  });

  it('create: Ctrl-C mid-blob exits 130, removes its temporary files, says what is done and how to resume', async () => {
    const name = 'sigint';
    holdBigDownload();
    const cli = startCli(createArgs(name), { env: cliEnv() });
    await waitFor(
      async () =>
        faulted(faults, 'stall')() &&
        (await cached(name)) === blobs.length - 1 &&
        (await outputTemps(name)).length > 0,
      'mid-blob, every other blob cached, output being written',
      cli,
    );
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code, why(run)).to.equal(130);
    const error = errorOf(run);
    expect(error.code).to.equal('E_INTERRUPTED');
    expect(error.message).to.contain('interrupted by SIGINT');
    // Every image but the one whose big layer is held is whole in the cache.
    const whole = release.images.filter((i) => !blobsOf(i.item).has(blobs[0]!.digest)).length;
    expect(whole).to.be.lessThan(release.images.length);
    expect(error.message).to.contain(
      `done before stopping: ${whole} of ${release.images.length} images fetched whole`,
    );
    expect(error.message).to.match(/[\d.]+ \w+ of [\d.]+ \w+ fetched into the cache/);
    expect(error.hint).to.match(/run the same command again/i);
    expect(await exists(join(dir.path, `${name}.tar.xz`))).to.equal(false);
    expect(await tempFilesUnder(dir.path)).to.deep.equal([]);

    faults.clearRules();
    const again = await runCli(createArgs(name), { env: cliEnv() });
    expect(again.code, why(again)).to.equal(0);
    expect(jsonOf(again).fetchedBlobs).to.equal(1);
    expect((await readFile(join(dir.path, `${name}.tar.xz`))).equals(reference)).to.be.true;
  });

  /** A fresh target registry behind its own fault proxy. */
  async function startTarget(): Promise<{
    target: RunningRegistry;
    proxy: FaultProxy;
    push: () => RunningCli;
    stop: () => Promise<void>;
  }> {
    const target = await startRegistry('anonymous');
    const proxy = await startFaultProxy(target);
    return {
      target,
      proxy,
      push: () =>
        startCli(
          [
            'push',
            'images',
            '--source',
            bundle,
            '--private-registry',
            `${proxy.host}/mirror`,
            '--plain-http',
            '--need-credential=false',
            '--json',
          ],
          { env: cliEnv() },
        ),
      stop: async () => {
        await proxy.stop();
        await target.stop();
      },
    };
  }

  /** Tags at the target name the right digests, and `absent` images have none. */
  async function expectOnlyWholeImagesTagged(
    target: RunningRegistry,
    absent: readonly string[],
    moment: string,
  ): Promise<void> {
    for (const d of await digestsAt(target, 'mirror', release, faults.host)) {
      if (absent.some((a) => d.ref.endsWith(a))) {
        expect(d.actual, `${moment}: ${d.ref} must not be tagged`).to.equal(undefined);
      } else if (d.actual !== undefined) {
        expect(d.actual, `${moment}: ${d.ref}`).to.equal(d.expected);
      }
    }
  }

  it('push: kill -9 at three moments tags no incomplete image; the re-run skips the blobs already there', async () => {
    const t = await startTarget();
    try {
      const big = blobs[0]!;
      const uploads = (): number => uploadsDone(t.proxy);
      const moments = [
        {
          moment: 'mid-upload of the biggest layer, every other blob sent',
          absent: ['release/multi:1.0'],
          reached: () => uploads() === release.uniqueBlobs - 1,
          hold: () => {
            t.proxy.addRule({
              match: isUploadPut(big.digest),
              action: { kind: 'hang', ms: holdMs, afterBytes: 100_000 },
            });
          },
        },
        {
          moment: 'while the first manifest is put, every blob there',
          absent: [],
          // Manifests go up as soon as their own blobs are there: the held
          // layer's upload goes on meanwhile, and is waited for.
          reached: () => uploads() === 1,
          hold: () => {
            t.proxy.addRule({
              match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
              times: 1,
              action: { kind: 'hang', ms: holdMs },
            });
          },
        },
        {
          // How many images the earlier kills left untagged depends on how far
          // each got; the one whose manifest was held above is always among
          // them, so there is always a first tag to hold.
          moment: 'while tagging, a tag held',
          absent: [],
          reached: () => true,
          hold: () => {
            t.proxy.addRule({
              match: (r) =>
                r.method === 'PUT' &&
                /\/manifests\/[^/]+$/.test(r.path) &&
                !r.path.includes('/manifests/sha256:'),
              times: 1,
              action: { kind: 'hang', ms: holdMs },
            });
          },
        },
      ];
      const uploadedBy: number[] = [];
      for (const m of moments) {
        t.proxy.clearRules();
        t.proxy.requests.length = 0;
        m.hold();
        const cli = t.push();
        await waitFor(
          () => Promise.resolve(faulted(t.proxy, 'hang')() && m.reached()),
          m.moment,
          cli,
        );
        cli.child.kill('SIGKILL');
        const run = await cli.done;
        expect(run.signal, `${m.moment}: ${why(run)}`).to.equal('SIGKILL');
        uploadedBy.push(uploads());
        await expectOnlyWholeImagesTagged(t.target, m.absent, m.moment);
      }
      // The second run uploaded only the layer held in the first; the third found every blob there.
      expect(uploadedBy).to.deep.equal([release.uniqueBlobs - 1, 1, 0]);
      t.proxy.clearRules();
      const done = await t.push().done;
      expect(done.code, why(done)).to.equal(0);
      const counts = jsonOf(done);
      expect(counts.blobsUploaded).to.equal(0);
      expect(counts.blobsSkipped).to.be.greaterThan(0);
      for (const d of await digestsAt(t.target, 'mirror', release, faults.host)) {
        expect(d.actual, d.ref).to.equal(d.expected);
      }
    } finally {
      await t.stop();
    }
  });

  it('push: Ctrl-C mid-upload exits 130, says what is done and how to resume; the re-run uploads only what is missing', async () => {
    const t = await startTarget();
    try {
      const big = blobs[0]!;
      t.proxy.addRule({
        match: isUploadPut(big.digest),
        action: { kind: 'hang', ms: holdMs, afterBytes: 100_000 },
      });
      const cli = t.push();
      await waitFor(
        () =>
          Promise.resolve(
            faulted(t.proxy, 'hang')() && uploadsDone(t.proxy) === release.uniqueBlobs - 1,
          ),
        'mid-upload of the biggest layer, every other blob uploaded',
        cli,
      );
      cli.child.kill('SIGINT');
      const run = await cli.done;
      expect(run.code, why(run)).to.equal(130);
      const error = errorOf(run);
      expect(error.code).to.equal('E_INTERRUPTED');
      expect(error.message).to.match(
        new RegExp(
          `done before stopping: \\d of ${release.images.length} images pushed and tagged`,
        ),
      );
      expect(error.hint).to.match(/run the same command again/i);
      await expectOnlyWholeImagesTagged(t.target, ['release/multi:1.0'], 'after Ctrl-C');
      expect(await tempFilesUnder(dir.path)).to.deep.equal([]);
      // The upload that was cut is cancelled at the registry (DELETE of its session), not left
      // open. (Its directory may linger here: the proxy still holds the registry's side of the PUT.)
      const cut = t.proxy.requests.find((r) => r.fault === 'hang');
      const session = /\/blobs\/uploads\/([^/?]+)/.exec(cut?.path ?? '')?.[1];
      expect(session, 'the held upload').to.be.a('string');
      const cancels = t.proxy.requests.filter(
        (r) => r.method === 'DELETE' && r.path.includes(`/blobs/uploads/${session ?? ''}`),
      );
      expect(cancels.map((r) => r.status)).to.deep.equal([204]);

      t.proxy.clearRules();
      const done = await t.push().done;
      expect(done.code, why(done)).to.equal(0);
      const counts = jsonOf(done);
      expect(counts.blobsSkipped).to.be.greaterThan(0);
      expect(counts.blobsUploaded).to.equal(1);
      expect(counts.bytesUploaded).to.equal(big.size);
      for (const d of await digestsAt(t.target, 'mirror', release, faults.host)) {
        expect(d.actual, d.ref).to.equal(d.expected);
      }
    } finally {
      await t.stop();
    }
  });
});

/** Blob uploads the registry has answered (201) through `proxy`. */
function uploadsDone(proxy: FaultProxy): number {
  return proxy.requests.filter(
    (r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/') && r.status === 201,
  ).length;
}

/** Polls `reached` until true; fails if the process ends first or after `timeoutMs`. */
async function waitFor(
  reached: () => Promise<boolean>,
  moment: string,
  cli: RunningCli,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // An object, not a let: the flag is set in a callback TS cannot see.
  const state = { ended: false };
  void cli.done.then(() => (state.ended = true));
  for (;;) {
    if (await reached()) return;
    if (state.ended) {
      throw new Error(`bmpack ended before "${moment}":\n${cli.stderr()}\n${cli.stdout()}`);
    }
    if (Date.now() > deadline) {
      cli.child.kill('SIGKILL');
      throw new Error(`"${moment}" not reached within ${timeoutMs} ms:\n${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
