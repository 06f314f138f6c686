import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { sha256Digest } from '../../src/content/digest.js';
import { pushImages, type PushImagesOptions } from '../../src/push/push-images.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { digestAt } from '../rig/registry-client.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startFaultProxy } from '../rig/fault-proxy.js';
import { runTool } from '../rig/processes.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';
import { rejection } from '../rig/rejection.js';

describe('push images', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;
  let meta: BundleMetadata;
  const paths = () => release.images.map((i) => i.ref.slice(source.host.length + 1));

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source);
    work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'b.tar.xz');
    await runTool(requireTool('tar', 'tar'), ['-xJf', bundle, '-C', work.dir, 'bmpack.json']);
    meta = JSON.parse(await readFile(join(work.dir, 'bmpack.json'), 'utf8')) as BundleMetadata;
  });
  after(async () => {
    await work.cleanup();
    await source.stop();
  });

  const pushTo = (reg: RunningRegistry, ns: string, extra: Partial<PushImagesOptions> = {}) =>
    pushImages({
      source: bundle,
      privateRegistry: `${reg.host}${ns ? `/${ns}` : ''}`,
      host: reg.plainHttp ? { plainHttp: true } : { caFile: reg.caFile! },
      ...(reg.username !== undefined
        ? {
            credentials: staticCredentials({
              [reg.host]: { username: reg.username, password: reg.password! },
            }),
          }
        : {}),
      ...extra,
    });

  it('pushes every image under the namespace with its digest, mounting shared blobs, and a re-run uploads nothing', async () => {
    const reg = await startRegistry('anonymous');
    try {
      const first = await pushTo(reg, 'mirror');
      expect(first.images).to.equal(4);
      expect(first.blobsMounted).to.be.at.least(1);
      expect(first.blobsUploaded).to.equal(release.uniqueBlobs);
      for (const [i, img] of release.images.entries()) {
        expect(await digestAt(reg, `mirror/${paths()[i]!}`)).to.equal(img.item.manifestDigest);
      }
      const skopeo = requireTool('skopeo', 'skopeo');
      const raw = await runTool(skopeo, [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${reg.host}/mirror/${paths()[0]!}`,
      ]);
      expect(sha256Digest(raw)).to.equal(release.images[0]!.item.manifestDigest);
      const again = await pushTo(reg, 'mirror');
      expect(again.blobsUploaded).to.equal(0);
      expect(again.bytesUploaded).to.equal(0);
      expect(again.manifestsPushed).to.equal(0);
      expect(again.blobsSkipped).to.equal(first.blobsUploaded + first.blobsMounted);
    } finally {
      await reg.stop();
    }
  });

  for (const setup of ['htpasswd', 'token'] as const) {
    it(`pushes into a ${setup} registry${setup === 'htpasswd' ? ' over TLS with --cacert' : ''}`, async () => {
      const reg = await startRegistry(setup);
      try {
        const result = await pushTo(reg, 'ns');
        expect(result.images).to.equal(4);
        expect(await digestAt(reg, `ns/${paths()[1]!}`)).to.equal(
          release.images[1]!.item.manifestDigest,
        );
      } finally {
        await reg.stop();
      }
    });
  }

  it('prints the plan with --dry-run and writes nothing', async () => {
    const reg = await startRegistry('anonymous');
    try {
      const result = await pushTo(reg, '', { dryRun: true });
      expect(result.plan?.uploads.length).to.equal(release.uniqueBlobs);
      expect(result.plan?.tags.every((t) => !t.skip)).to.equal(true);
      expect(await digestAt(reg, paths()[0]!)).to.equal(undefined);
    } finally {
      await reg.stop();
    }
  });

  it('resumes an interrupted push: the broken image is not tagged, the re-run moves only what is missing', async () => {
    const reg = await startRegistry('anonymous');
    const proxy = await startFaultProxy(reg);
    const victim = meta.blobs.find((b) => b.kind === 'layer' && b.size > 250_000)!;
    proxy.addRule({
      match: (r) =>
        (r.method === 'PUT' || r.method === 'PATCH') &&
        r.path.includes('/blobs/uploads/') &&
        r.path.includes(encodeURIComponent(victim.digest)),
      action: { kind: 'status', status: 500 },
    });
    const viaProxy = { ...reg, host: proxy.host };
    try {
      const err = await rejection(pushTo(viaProxy, 'r', { concurrency: 2 }));
      expect(err.code).to.equal('E_PUSH_INCOMPLETE');
      expect(err.message).to.contain('release/multi');
      expect(await digestAt(reg, `r/${paths()[0]!}`)).to.equal(undefined);
      expect(await digestAt(reg, `r/${paths()[2]!}`)).to.equal(
        release.images[2]!.item.manifestDigest,
      );
      proxy.clearRules();
      const again = await pushTo(viaProxy, 'r');
      expect(again.blobsUploaded).to.equal(1);
      expect(again.bytesUploaded).to.equal(victim.size);
      expect(await digestAt(reg, `r/${paths()[0]!}`)).to.equal(
        release.images[0]!.item.manifestDigest,
      );
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });

  it('tags each image as soon as it is whole, while another image still waits for its blob', async () => {
    const reg = await startRegistry('anonymous');
    const proxy = await startFaultProxy(reg);
    // Image 0's big layer: its upload is refused once, with a 1 s Retry-After.
    const victim = meta.blobs.find((b) => b.kind === 'layer' && b.size > 250_000)!;
    proxy.addRule({
      match: (r) =>
        r.method === 'PUT' &&
        r.path.includes('/blobs/uploads/') &&
        r.path.includes(encodeURIComponent(victim.digest)),
      times: 1,
      action: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
    });
    const done = new Map<string, number>();
    let retried: number | undefined;
    try {
      await pushTo({ ...reg, host: proxy.host }, 'early', {
        onEvent: (e) => {
          if (e.type === 'retry') retried ??= performance.now();
          if (e.type === 'image-done') done.set(e.ref, performance.now());
        },
      });
      expect(retried, 'the upload was refused once').to.not.equal(undefined);
      const at = (i: number): number => {
        const ref = [...done.keys()].find((r) => r.endsWith(`/early/${paths()[i]!}`));
        return done.get(ref ?? '') ?? NaN;
      };
      // Image 2 does not use the layer: tagged during the wait, not after it.
      expect(at(2) - retried!).to.be.below(900);
      expect(at(0) - retried!).to.be.at.least(1000);
      expect(await digestAt(reg, `early/${paths()[0]!}`)).to.equal(
        release.images[0]!.item.manifestDigest,
      );
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });

  it('starts uploading while the target has not answered every HEAD, when the bundle holds every blob', async () => {
    const reg = await startRegistry('anonymous');
    const proxy = await startFaultProxy(reg);
    // The first HEAD of a blob gets no answer for 1 s (then it is retried).
    const slow = (r: { method: string; path: string }): boolean =>
      r.method === 'HEAD' && r.path.includes('/blobs/sha256:');
    proxy.addRule({ match: slow, times: 1, action: { kind: 'hang', ms: 1000 } });
    try {
      const result = await pushTo({ ...reg, host: proxy.host }, 'eager');
      expect(result.images).to.equal(4);
      const log = proxy.requests.map((r) => `${r.method} ${r.path}`);
      const held = log.findIndex((l) => l.startsWith('HEAD') && l.includes('/blobs/sha256:'));
      const retried = log.indexOf(log[held]!, held + 1);
      const firstUpload = log.findIndex(
        (l) => l.startsWith('POST') && l.includes('/blobs/uploads/'),
      );
      expect(retried, 'the held HEAD was asked again').to.be.greaterThan(held);
      expect(firstUpload, 'an upload began before the held HEAD was answered').to.be.below(retried);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });

  it('asks about a manifest only when its repository holds everything it lists, and keeps HEAD connections open', async () => {
    const reg = await startRegistry('anonymous');
    const proxy = await startFaultProxy(reg);
    try {
      await pushTo({ ...reg, host: proxy.host }, 'asked');
      const heads = proxy.requests.filter((r) => r.method === 'HEAD');
      // Into an empty registry: every blob was absent, so no manifest could be there.
      const asked = heads.filter((r) => r.path.includes('/manifests/sha256:'));
      expect(asked.map((r) => `${r.path} ${r.status ?? ''}`)).to.deep.equal([]);
      expect(heads.filter((r) => r.path.includes('/blobs/')).length).to.be.greaterThan(0);
      // A HEAD answer leaves its connection open: the next request on it comes after.
      const log = proxy.requests;
      const reused = heads.filter((h) =>
        log.some((r, at) => at > log.indexOf(h) && r.connection === h.connection),
      );
      expect(
        reused.length,
        `${heads.length} HEADs, ${proxy.connections} connections`,
      ).to.be.greaterThan(0);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });

  it('fails naming the blob when the bundle is corrupt, and tags nothing that uses it', async () => {
    const reg = await startRegistry('anonymous');
    const tarPath = join(work.dir, 'corrupt.tar');
    try {
      await writeFile(tarPath, await runTool(requireTool('xz', 'xz-utils'), ['-dc', bundle]));
      const victim = meta.blobs.find((b) => b.kind === 'layer' && b.size > 250_000)!;
      const data = await readFile(tarPath);
      const at = data.indexOf(Buffer.from(`blobs/sha256/${victim.digest.slice(7)}`));
      data[at + 512 + 1000] = (data[at + 512 + 1000] ?? 0) ^ 0xff;
      await writeFile(tarPath, data);
      const err = await rejection(
        pushImages({ source: tarPath, privateRegistry: reg.host, host: { plainHttp: true } }),
      );
      expect(err.code).to.equal('E_PUSH_INCOMPLETE');
      expect(err.message).to.contain(victim.digest);
      expect(await digestAt(reg, paths()[0]!)).to.equal(undefined);
      expect(await digestAt(reg, paths()[2]!)).to.equal(release.images[2]!.item.manifestDigest);
    } finally {
      await reg.stop();
    }
  });
});
