/**
 * Issue #7, network faults: `bundle create` and `push images` (the built
 * CLI, as a user runs it) through connection resets in the middle of a blob,
 * 503s, 429s with Retry-After and stalls, injected by a proxy in front of a
 * real registry. Each property is checked twice: with the registry reached
 * directly (the fault proxy is the registry's address) and through an
 * HTTP_PROXY forward proxy whose requests (absolute form) lead to the fault proxy (the client
 * addresses the real registry; only the proxied path is faulty, so a client
 * that bypassed the proxy would see no fault at all).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { exitCodeFor } from '../../src/errors.js';
import { runCli, type CliRun } from '../rig/cli.js';
import type { ReleaseFixture } from '../rig/release-fixture.js';
import {
  startFaultProxy,
  startForwardProxy,
  type FaultProxy,
  type ForwardProxy,
} from '../rig/fault-proxy.js';
import type { TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import {
  anonymousPushArgs,
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

type Path = 'direct' | 'HTTP_PROXY';
const paths: readonly Path[] = ['direct', 'HTTP_PROXY'];
/** Short, so that a stall is noticed quickly; the stalls below last far longer. */
const stallTimeoutMs = 2_000;

describe('network faults: create and push through resets, 503s, 429s and stalls', function () {
  this.timeout(60_000);
  let source: RunningRegistry;
  let release: ReleaseFixture;
  let sourceFaults: FaultProxy;
  let forward: ForwardProxy;
  /** Where the forward proxy really connects for a `host:port`. */
  const routes = new Map<string, string>();
  let dir: TrackedDir;
  const lists = {} as Record<Path, string>;
  const references = {} as Record<Path, Buffer>;
  /** A clean bundle of the release (image names on the source registry), for push. */
  let bundle: string;
  let blobs: Array<{ digest: string; size: number }>;
  const cleanups: Array<() => Promise<void>> = [];

  /** The registry name a path's client uses for the source. */
  const sourceHost = (path: Path): string => (path === 'direct' ? sourceFaults.host : source.host);
  const env = (path: Path): NodeJS.ProcessEnv =>
    cliEnv({ stallTimeoutMs, ...(path === 'HTTP_PROXY' ? { proxy: forward.url } : {}) });
  const faultsOf = (proxy: FaultProxy): string[] =>
    proxy.requests.flatMap((r) => (r.fault !== undefined ? [r.fault] : [])).sort();

  /**
   * Through the forward proxy, the client asked only for `host`: absolute-form
   * requests for its plain HTTP (RFC 9112 §3.2.2), and at most a CONNECT for
   * the HTTPS probe of an --insecure-registry.
   */
  function expectProxiedOnlyTo(path: Path, host: string): void {
    if (path === 'direct') {
      expect(forward.requests, 'the direct path must not touch the forward proxy').to.have.length(
        0,
      );
      return;
    }
    const seen = [...new Set(forward.requests.map((r) => `${r.method} ${r.target}`))];
    const absolute = seen.filter((r) => !r.startsWith('CONNECT '));
    expect(absolute.length, 'absolute-form requests seen by the forward proxy').to.be.greaterThan(
      0,
    );
    expect(absolute.filter((r) => !r.includes(` http://${host}/v2/`))).to.deep.equal([]);
    expect(seen.filter((r) => r.startsWith('CONNECT ') && r !== `CONNECT ${host}`)).to.deep.equal(
      [],
    );
  }

  before(async function () {
    this.timeout(120_000);
    const rig = await startFaultRig('bmpack-netfaults-', cleanups);
    ({ source, release, blobs, dir } = rig);
    sourceFaults = rig.faults;
    forward = await startForwardProxy({ route: (target) => routes.get(target) });
    cleanups.push(() => forward.stop());
    routes.set(source.host, sourceFaults.host);
    for (const path of paths) {
      const ref = await referenceBundle(rig, sourceHost(path), `reference-${path}`, cleanups);
      lists[path] = ref.list;
      references[path] = ref.bytes;
    }
    bundle = join(dir.path, 'reference-HTTP_PROXY.tar.xz');
  });
  beforeEach(() => {
    sourceFaults.clearRules();
    sourceFaults.requests.length = 0;
    forward.requests.length = 0;
  });
  after(async () => {
    // In reverse start order; what never started (a failed before) is not there.
    for (const stop of cleanups.reverse()) await stop();
  });

  /** `bmpack bundle create` of a path's list into a fresh cache. */
  const create = (path: Path, name: string): Promise<CliRun> =>
    runCli(
      [
        'bundle',
        'create',
        '--manifest',
        lists[path],
        '--insecure-registry',
        sourceHost(path),
        '--cache-dir',
        join(dir.path, `cache-${name}`),
        '--output',
        join(dir.path, `${name}.tar.xz`),
        '--json',
      ],
      { env: env(path) },
    );

  /** A fresh target registry with a fault proxy in front (routed to by the forward proxy). */
  async function startTarget(): Promise<{
    target: RunningRegistry;
    faults: FaultProxy;
    host: (path: Path) => string;
    stop: () => Promise<void>;
  }> {
    const target = await startRegistry('anonymous');
    const faults = await startFaultProxy(target);
    routes.set(target.host, faults.host);
    return {
      target,
      faults,
      host: (path) => (path === 'direct' ? faults.host : target.host),
      stop: async () => {
        routes.delete(target.host);
        await faults.stop();
        await target.stop();
      },
    };
  }

  const push = (path: Path, registry: string): Promise<CliRun> =>
    runCli(anonymousPushArgs(bundle, `${registry}/mirror`), { env: env(path) });

  for (const path of paths) {
    it(`create (${path}): resets mid-blob, 503s, a 429 with Retry-After and a stall still give the byte-identical bundle`, async () => {
      const [big, base, third, fourth, fifth] = blobs;
      sourceFaults.addRule({
        match: (r) => r.path.includes('/manifests/'),
        times: 2,
        action: { kind: 'status', status: 503 },
      });
      sourceFaults.addRule({
        match: isBlobGet(big!.digest),
        times: 1,
        action: { kind: 'reset-after', bytes: 100_000 },
      });
      sourceFaults.addRule({
        match: isBlobGet(base!.digest),
        times: 1,
        action: { kind: 'stall', ms: 120_000, afterBytes: 30_000 },
      });
      sourceFaults.addRule({
        match: isBlobGet(third!.digest),
        times: 1,
        action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      });
      sourceFaults.addRule({
        match: isBlobGet(fourth!.digest),
        times: 1,
        action: { kind: 'reset' },
      });
      sourceFaults.addRule({
        match: isBlobGet(fifth!.digest),
        times: 1,
        action: { kind: 'status', status: 503 },
      });

      const run = await create(path, `faulty-${path}`);
      expect(run.code, why(run)).to.equal(0);
      const out = join(dir.path, `faulty-${path}.tar.xz`);
      expect((await readFile(out)).equals(references[path]), 'byte-identical to a clean run').to.be
        .true;
      expect(jsonOf(run).sha256).to.match(/^[0-9a-f]{64}$/);
      // Every fault really happened, and the cut blobs were resumed, not refetched.
      expect(faultsOf(sourceFaults)).to.deep.equal(
        ['status', 'status', 'reset-after', 'stall', 'status', 'reset', 'status'].sort(),
      );
      for (const cut of [big!, base!]) {
        const gets = sourceFaults.requests.filter(isBlobGet(cut.digest));
        expect(gets.map((g) => g.headers.range).slice(1), `resumes of ${cut.digest}`).to.satisfy(
          (ranges: Array<string | undefined>) =>
            ranges.length > 0 &&
            ranges.every((v) => v !== undefined && /^bytes=[1-9]\d*-$/.test(v)),
        );
      }
      expectProxiedOnlyTo(path, source.host);
      expect(await tempFilesUnder(dir.path)).to.deep.equal([]);
    });

    it(`push (${path}): resets mid-upload, 503s, a 429 with Retry-After and a stall still land every image with its digest`, async () => {
      const t = await startTarget();
      try {
        const [big, base, third] = blobs;
        t.faults.addRule({
          match: (r) => r.method === 'HEAD' && r.path.includes('/blobs/'),
          times: 1,
          action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
        });
        t.faults.addRule({
          match: (r) =>
            r.method === 'POST' && r.path.includes('/blobs/uploads/') && !r.path.includes('mount='),
          times: 1,
          action: { kind: 'status', status: 503 },
        });
        t.faults.addRule({
          match: isUploadPut(big!.digest),
          times: 1,
          action: { kind: 'reset-upload-after', bytes: 100_000 },
        });
        t.faults.addRule({
          match: isUploadPut(base!.digest),
          times: 1,
          action: { kind: 'status', status: 503 },
        });
        t.faults.addRule({
          match: isUploadPut(third!.digest),
          times: 1,
          action: { kind: 'hang', ms: 120_000 },
        });
        t.faults.addRule({
          match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
          times: 1,
          action: { kind: 'status', status: 503 },
        });
        t.faults.addRule({
          match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
          times: 1,
          action: { kind: 'reset' },
        });

        const run = await push(path, t.host(path));
        expect(run.code, why(run)).to.equal(0);
        expect(jsonOf(run).images).to.equal(release.images.length);
        expect(faultsOf(t.faults)).to.deep.equal(
          ['status', 'status', 'reset-upload-after', 'status', 'hang', 'status', 'reset'].sort(),
        );
        for (const d of await digestsAt(t.target, 'mirror', release, source.host)) {
          expect(d.actual, `digest of ${d.ref} at the target`).to.equal(d.expected);
        }
        expectProxiedOnlyTo(path, t.target.host);
      } finally {
        await t.stop();
      }
    });

    it(`create (${path}): a blob that always fails is tried a bounded number of times, and the error says which and how often`, async () => {
      const [big] = blobs;
      // A reset on one path, a 503 on the other: both kinds of failure are bounded.
      const reset = path === 'direct';
      sourceFaults.addRule({
        match: isBlobGet(big!.digest),
        action: reset ? { kind: 'reset' } : { kind: 'status', status: 503 },
      });
      const run = await create(path, `doomed-${path}`);
      const tries = sourceFaults.requests.filter(isBlobGet(big!.digest)).length;
      expect(run.code, why(run)).to.equal(reset ? 6 : 10);
      const error = errorOf(run);
      expect(error.code).to.equal(reset ? 'E_NETWORK' : 'E_REGISTRY');
      expect(error.message).to.contain(big!.digest);
      expect(tries).to.be.within(2, 5);
      expect(error.message).to.contain(`tried ${tries} times`);
      expect(await exists(join(dir.path, `doomed-${path}.tar.xz`))).to.equal(false);
      expect(await tempFilesUnder(dir.path)).to.deep.equal([]);
      expectProxiedOnlyTo(path, source.host);
    });

    it(`create (${path}): a blob whose bytes changed on the way fails the build with E_DIGEST_MISMATCH naming it, and leaves no output`, async () => {
      // The download leaves the digest to the bundle's relay, which hashes on another thread.
      const [big] = blobs;
      sourceFaults.addRule({
        match: isBlobGet(big!.digest),
        action: { kind: 'status', status: 200, body: Buffer.alloc(big!.size, 1) },
      });
      const run = await create(path, `altered-${path}`);
      expect(run.code, why(run)).to.equal(exitCodeFor('E_DIGEST_MISMATCH'));
      const error = errorOf(run);
      expect(error.code).to.equal('E_DIGEST_MISMATCH');
      expect(error.message).to.contain(big!.digest);
      // Caught by the bundle's own check ("… for bundle FILE"), not by the download's.
      expect(error.message).to.contain(`for bundle ${join(dir.path, `altered-${path}.tar.xz`)}`);
      expect(await exists(join(dir.path, `altered-${path}.tar.xz`))).to.equal(false);
      expect(await tempFilesUnder(dir.path)).to.deep.equal([]);
    });

    it(`push (${path}): a blob upload that always fails is tried a bounded number of times, and the error says which image, which blob and how often`, async () => {
      const t = await startTarget();
      try {
        const [big] = blobs;
        // A reset mid-upload on one path, a 503 on the other (through an
        // absolute-form proxy a reset comes back as the proxy's 502, as
        // squid answers it, so the reset is the direct path's).
        t.faults.addRule({
          match: isUploadPut(big!.digest),
          action:
            path === 'direct'
              ? { kind: 'reset-upload-after', bytes: 50_000 }
              : { kind: 'status', status: 503 },
        });
        const run = await push(path, t.host(path));
        const tries = t.faults.requests.filter(isUploadPut(big!.digest)).length;
        // E_PUSH_INCOMPLETE exits with its cause's category: registry (503) or network (reset).
        expect(run.code, why(run)).to.equal(path === 'direct' ? 6 : 10);
        const error = errorOf(run);
        expect(error.code).to.equal('E_PUSH_INCOMPLETE');
        expect(error.message).to.contain('release/multi:1.0');
        expect(error.message).to.contain(big!.digest);
        expect(tries).to.be.within(2, 5);
        expect(error.message).to.contain(`tried ${tries} times`);
        const landed = await digestsAt(t.target, 'mirror', release, source.host);
        expect(landed.find((d) => d.ref.endsWith('release/multi:1.0'))?.actual).to.equal(undefined);
        expectProxiedOnlyTo(path, t.target.host);
      } finally {
        await t.stop();
      }
    });
  }
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
