/**
 * Registries that refuse parts of the upload protocol (issue 14, item 4):
 * mounts answered with an error, PATCH refused or limited by an ingress.
 * bmpack falls back (a plain upload, a single streamed PUT) and does not
 * ask that registry again in the run. The fault proxy stands in front of a
 * real registry; the digests are read from the registry itself.
 */
import { expect } from 'chai';
import { pushImages, type PushImagesOptions } from '../../src/push/push-images.js';
import { digestAt } from '../rig/registry-client.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import {
  startFaultProxy,
  type FaultProxy,
  type FaultRule,
  type ProxiedRequest,
} from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { anonymousPushArgs, errorOf, jsonOf, why } from '../reliability/network-faults-kit.js';

const isMount = (r: ProxiedRequest): boolean =>
  r.method === 'POST' && r.path.includes('/blobs/uploads/') && r.path.includes('mount=');
const isPatch = (r: ProxiedRequest): boolean =>
  r.method === 'PATCH' && r.path.includes('/blobs/uploads/');
/** A closing PUT that carries the blob (a single PUT), not the empty one after chunks. */
const isSinglePut = (r: ProxiedRequest): boolean =>
  r.method === 'PUT' &&
  r.path.includes('/blobs/uploads/') &&
  Number(r.headers['content-length'] ?? '0') > 0;

const registryError = (code: string): string =>
  JSON.stringify({ errors: [{ code, message: 'refused by the test', detail: null }] });

/** The release seeded into a source registry, bundled once for every test. */
async function releaseBundle(): Promise<{
  source: RunningRegistry;
  release: ReleaseFixture;
  bundle: string;
  stop: () => Promise<void>;
}> {
  const source = await startRegistry('anonymous');
  const release = await seedRelease(source);
  const work = await writeImageSet(release.images.map((i) => i.ref));
  const bundle = await bundleImageSet(source, work, 'b.tar.xz');
  const stop = async (): Promise<void> => {
    await work.cleanup();
    await source.stop();
  };
  return { source, release, bundle, stop };
}

describe('push images into registries that refuse mounts or chunks', function () {
  this.timeout(180_000);
  let fixture: Awaited<ReturnType<typeof releaseBundle>>;
  before(async () => {
    fixture = await releaseBundle();
  });
  after(() => fixture.stop());
  const paths = () =>
    fixture.release.images.map((i) => i.ref.slice(fixture.source.host.length + 1));

  /** A registry with a fault proxy in front; `run` pushes through the proxy. */
  async function withTarget(
    test: (t: {
      reg: RunningRegistry;
      proxy: FaultProxy;
      push: (ns: string, extra?: Partial<PushImagesOptions>) => ReturnType<typeof pushImages>;
    }) => Promise<void>,
  ): Promise<void> {
    const reg = await startRegistry('anonymous');
    const proxy = await startFaultProxy(reg).catch(async (err: unknown) => {
      await reg.stop();
      throw err;
    });
    const push = (ns: string, extra: Partial<PushImagesOptions> = {}) =>
      pushImages({
        source: fixture.bundle,
        privateRegistry: `${proxy.host}/${ns}`,
        host: { plainHttp: true },
        ...extra,
      });
    try {
      await test({ reg, proxy, push });
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  }

  async function expectAllAt(reg: RunningRegistry, ns: string): Promise<void> {
    for (const [i, img] of fixture.release.images.entries()) {
      expect(await digestAt(reg, `${ns}/${paths()[i]!}`), paths()[i]).to.equal(
        img.item.manifestDigest,
      );
    }
  }

  for (const status of [401, 404, 405] as const) {
    it(`mounts answered ${status}: every image pushed by plain uploads, the registry asked to mount once, a re-run clean`, async () => {
      await withTarget(async ({ reg, proxy, push }) => {
        proxy.addRule({
          match: isMount,
          action: {
            kind: 'status',
            status,
            headers: { 'content-type': 'application/json' },
            body: registryError(status === 404 ? 'BLOB_UNKNOWN' : 'UNSUPPORTED'),
          },
        });
        const warnings: string[] = [];
        const first = await push('mirror', {
          onEvent: (e) => {
            if (e.type === 'warning') warnings.push(e.message);
          },
        });
        expect(first.images).to.equal(4);
        expect(first.blobsMounted).to.equal(0);
        expect(proxy.requests.filter(isMount), 'mount requests').to.have.length(1);
        // Said once: the registry refused, and what bmpack does instead.
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.contain(`refused a cross-repository mount (HTTP ${status})`);
        await expectAllAt(reg, 'mirror');
        proxy.requests.length = 0;
        const again = await push('mirror');
        expect(again.blobsUploaded).to.equal(0);
        expect(again.manifestsPushed).to.equal(0);
        expect(proxy.requests.filter((r) => r.status !== undefined && r.status >= 400)).to.eql([]);
      });
    });
  }

  const patchRefusals: ReadonlyArray<{ what: string; ns: string; rule: FaultRule }> = [
    {
      what: 'PATCH refused (405)',
      ns: 'chunks',
      rule: {
        match: isPatch,
        action: { kind: 'status', status: 405, body: registryError('UNSUPPORTED') },
      },
    },
    {
      what: 'an ingress that refuses PATCH bodies over 8 KiB (413)',
      ns: 'limited',
      rule: {
        match: (r) => isPatch(r) && Number(r.headers['content-length'] ?? '0') > 8 * 1024,
        action: { kind: 'status', status: 413, body: '<html>413 Request Entity Too Large</html>' },
      },
    },
  ];
  for (const { what, ns, rule } of patchRefusals) {
    it(`${what}: every image pushed with its digest, single PUTs after the first refusal`, async () => {
      await withTarget(async ({ reg, proxy, push }) => {
        proxy.addRule(rule);
        const warnings: string[] = [];
        const first = await push(ns, {
          chunkSize: 16 * 1024,
          onEvent: (e) => {
            if (e.type === 'warning') warnings.push(e.message);
          },
        });
        expect(first.images).to.equal(4);
        expect(proxy.requests.filter(isPatch), 'PATCH requests').to.have.length(1);
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.contain('refused a chunked upload').and.contain('one PUT');
        expect(proxy.requests.filter(isSinglePut)).to.have.length(first.blobsUploaded);
        await expectAllAt(reg, ns);
      });
    });
  }

  it("a chunked upload from the bundle cut mid-way resumes at the registry's offset", async () => {
    await withTarget(async ({ reg, proxy, push }) => {
      const chunk = 16 * 1024;
      proxy.addRule({
        match: (r) => isPatch(r) && r.headers['content-range'] === `${2 * chunk}-${3 * chunk - 1}`,
        times: 1,
        action: { kind: 'reset-upload-after', bytes: 1000 },
      });
      const result = await push('resumed', { chunkSize: chunk, concurrency: 1 });
      expect(result.images).to.equal(4);
      const cut = proxy.requests.findIndex((r) => r.fault === 'reset-upload-after');
      const next = proxy.requests.slice(cut + 1, cut + 3);
      expect(
        next.map((r) => `${r.method} ${r.status} ${String(r.headers['content-range'])}`),
      ).to.eql(['GET 204 undefined', `PATCH 202 ${2 * chunk}-${3 * chunk - 1}`]);
      await expectAllAt(reg, 'resumed');
    });
  });

  it('chunks the registry takes: blobs over chunkSize go up in PATCHes, and chunkSize 0 sends single PUTs', async () => {
    await withTarget(async ({ reg, proxy, push }) => {
      const chunked = await push('chunked', { chunkSize: 16 * 1024 });
      expect(proxy.requests.filter(isPatch).length).to.be.greaterThan(chunked.blobsUploaded);
      await expectAllAt(reg, 'chunked');
      proxy.requests.length = 0;
      const whole = await push('whole', { chunkSize: 0 });
      expect(proxy.requests.filter(isPatch)).to.eql([]);
      expect(proxy.requests.filter(isSinglePut)).to.have.length(whole.blobsUploaded);
      await expectAllAt(reg, 'whole');
    });
  });

  it('the CLI: push images --chunk-size 16KiB through a registry that refuses PATCH, image copy --chunk-size 8K (chunks the registry then takes), and a bad SIZE is E_USAGE', async () => {
    requireBuiltCli();
    await withTarget(async ({ reg, proxy }) => {
      proxy.addRule({ match: isPatch, action: { kind: 'status', status: 405 } });
      const pushed = await runCli(
        anonymousPushArgs(fixture.bundle, `${proxy.host}/cli`, '--chunk-size', '16KiB'),
      );
      expect(pushed.code, why(pushed)).to.equal(0);
      expect(jsonOf(pushed).images).to.equal(4);
      expect(proxy.requests.filter(isPatch)).to.have.length(1);
      await expectAllAt(reg, 'cli');
      proxy.clearRules();
      proxy.requests.length = 0;
      const [first] = paths();
      const copied = await runCli([
        'image',
        'copy',
        `docker://${fixture.source.host}/${first!}`,
        `docker://${proxy.host}/copied/${first!}`,
        '--plain-http',
        '--chunk-size',
        '8K',
        '--json',
      ]);
      expect(copied.code, why(copied)).to.equal(0);
      expect(proxy.requests.filter(isPatch).length).to.be.greaterThan(1);
      expect(await digestAt(reg, `copied/${first!}`)).to.equal(
        fixture.release.images[0]!.item.manifestDigest,
      );
      const bad = await runCli(
        anonymousPushArgs(fixture.bundle, `${proxy.host}/cli`, '--chunk-size', '16XB'),
      );
      expect(bad.code, why(bad)).to.equal(2);
      expect(errorOf(bad)).to.include({ code: 'E_USAGE' });
      expect(errorOf(bad).message).to.contain('--chunk-size 16XB');
    });
  });
});
