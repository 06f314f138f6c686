/**
 * bmpack serve (issue 16, first slice): a bundle as a read-only registry,
 * proven by clients that are not bmpack's: skopeo copies every image from
 * it into a real distribution registry with identical digests; the spec's
 * pull and content-discovery answers (Range 206, tags/list pagination with
 * Link, errors in the spec's JSON form, UNSUPPORTED for writes) are asked
 * for directly.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { serveBundles, type RunningServe } from '../../src/serve/index.js';
import { digestAt } from '../rig/registry-client.js';
import { runTool } from '../rig/processes.js';
import { mirrorConfig } from '../../src/mirror/index.js';
import { imageDigests, startContainerd } from '../mirror/containerd-rig.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { requireBuiltCli, startCli, waitForStderr } from '../rig/cli.js';
import { requireTool } from '../rig/tools.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';

describe('bmpack serve: a bundle as a read-only registry', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let release: ReleaseFixture;
  let served: RunningServe;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;
  const lines: Array<{ method: string; status: number }> = [];
  const paths = () => release.images.map((i) => i.ref.slice(source.host.length + 1));

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source);
    work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'b.tar.xz');
    served = await serveBundles({
      sources: [bundle],
      listen: '127.0.0.1:0',
      namespace: 'mirror',
      onRequest: (l) => lines.push(l),
    });
    target = await startRegistry('anonymous');
  });
  after(async () => {
    await served.close();
    await target.stop();
    await source.stop();
    await work.cleanup();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`http://${served.address}${path}`, { method, headers });

  it('skopeo copies every image from it into a distribution registry, digests identical', async () => {
    const skopeo = requireTool('skopeo', 'skopeo');
    for (const [i, path] of paths().entries()) {
      await runTool(skopeo, [
        'copy',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${served.address}/mirror/${path}`,
        `docker://${target.host}/copied/${path}`,
      ]);
      expect(await digestAt(target, `copied/${path}`), path).to.equal(
        release.images[i]!.item.manifestDigest,
      );
    }
    expect(lines.length).to.be.greaterThan(0);
  });

  it('answers the spec: manifests with their headers, Range with 206, tags/list pages with Link', async () => {
    const [first] = paths();
    const manifest = await get(`/v2/mirror/${first!.replace(':', '/manifests/')}`, {}, 'HEAD');
    expect(manifest.status).to.equal(200);
    expect(manifest.headers.get('docker-content-digest')).to.equal(
      release.images[0]!.item.manifestDigest,
    );
    const bytes = await get(
      `/v2/mirror/${first!.split(':')[0]!}/manifests/${release.images[0]!.item.manifestDigest}`,
    );
    const body = Buffer.from(await bytes.arrayBuffer());
    expect(body.length).to.equal(Number(bytes.headers.get('content-length')));
    const index = JSON.parse(body.toString()) as { manifests: Array<{ digest: string }> };
    const child = await get(
      `/v2/mirror/${first!.split(':')[0]!}/manifests/${index.manifests[0]!.digest}`,
    );
    const layers = (
      JSON.parse(Buffer.from(await child.arrayBuffer()).toString()) as {
        layers: Array<{ digest: string; size: number }>;
      }
    ).layers;
    const layer = layers[0]!;
    const ranged = await get(`/v2/mirror/${first!.split(':')[0]!}/blobs/${layer.digest}`, {
      range: 'bytes=10-19',
    });
    expect(ranged.status).to.equal(206);
    expect(ranged.headers.get('content-range')).to.equal(`bytes 10-19/${layer.size}`);
    expect((await ranged.arrayBuffer()).byteLength).to.equal(10);
    const catalog = await get('/v2/_catalog?n=2');
    expect(catalog.headers.get('link')).to.match(/^<\/v2\/_catalog\?n=2&last=.+>; rel="next"$/);
    expect(((await catalog.json()) as { repositories: string[] }).repositories).to.have.length(2);
  });

  it('every blob, fetched 16 at a time three times over, hashes to its digest (read buffers recycled between requests never show through)', async () => {
    const blobs = new Map<string, string>();
    const walk = async (repo: string, ref: string): Promise<void> => {
      const doc = (await (await get(`/v2/mirror/${repo}/manifests/${ref}`)).json()) as {
        manifests?: Array<{ digest: string }>;
        config?: { digest: string };
        layers?: Array<{ digest: string }>;
      };
      for (const m of doc.manifests ?? []) await walk(repo, m.digest);
      for (const b of [...(doc.layers ?? []), ...(doc.config ? [doc.config] : [])])
        blobs.set(b.digest, repo);
    };
    for (const path of paths()) {
      const [repo, tag] = path.split(':');
      await walk(repo!, tag!);
    }
    const jobs = [0, 1, 2].flatMap(() => [...blobs]);
    expect(blobs.size).to.be.greaterThan(5);
    const wrong: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let job = jobs.pop(); job !== undefined; job = jobs.pop()) {
          const [digest, repo] = job;
          const body = Buffer.from(
            await (await get(`/v2/mirror/${repo}/blobs/${digest}`)).arrayBuffer(),
          );
          const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
          if (got !== digest) wrong.push(`${repo} ${digest}: got ${got}`);
        }
      }),
    );
    expect(wrong).to.deep.equal([]);
  });

  it('answers errors in the spec JSON form, and UNSUPPORTED to any write', async () => {
    const unknown = await get('/v2/mirror/nope/tags/list');
    expect(unknown.status).to.equal(404);
    expect(
      ((await unknown.json()) as { errors: Array<{ code: string }> }).errors[0]!.code,
    ).to.equal('NAME_UNKNOWN');
    const [first] = paths();
    const missing = await get(`/v2/mirror/${first!.split(':')[0]!}/manifests/nope`);
    expect(
      ((await missing.json()) as { errors: Array<{ code: string }> }).errors[0]!.code,
    ).to.equal('MANIFEST_UNKNOWN');
    const write = await get(`/v2/mirror/${first!.split(':')[0]!}/blobs/uploads/`, {}, 'POST');
    expect(write.status).to.equal(405);
    expect(((await write.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).to.equal(
      'UNSUPPORTED',
    );
  });

  it('the CLI: bmpack serve listens, logs a line per request, and stops on SIGTERM with exit 0', async () => {
    requireBuiltCli();
    const cli = startCli([
      'serve',
      '--source',
      bundle,
      '--listen',
      '127.0.0.1:0',
      '--namespace',
      'ns',
    ]);
    const address = await waitForStderr(cli, /on http:\/\/([^/\s]+)/);
    const [first] = paths();
    const res = await fetch(`http://${address}/v2/ns/${first!.split(':')[0]!}/tags/list`);
    expect(res.status).to.equal(200);
    await res.arrayBuffer();
    cli.child.kill('SIGTERM');
    const done = await cli.done;
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stderr).to.match(/GET \/v2\/ns\/\S+\/tags\/list 200 \d+ \d+ms/);
  });

  it('containerd pulls through the hosts.toml that mirror config writes for the served address', async () => {
    const containerd = await startContainerd();
    const dir = await makeTempDir('bmpack-serve-ctr-');
    try {
      await mirrorConfig({
        privateRegistry: `${served.address}/mirror`,
        source: bundle,
        plainHttp: true,
        output: dir.path,
        installDir: dir.path,
      });
      lines.length = 0;
      const ref = release.images[1]!.ref;
      await containerd.ctr(
        ['images', 'pull', '--hosts-dir', dir.path, '--snapshotter', 'native', ref],
        {
          timeoutMs: 120_000,
        },
      );
      expect((await imageDigests(containerd)).get(ref)).to.equal(
        release.images[1]!.item.manifestDigest,
      );
      // It came from serve: the manifest and the blobs were asked of it.
      expect(lines.filter((l) => l.method === 'GET' && l.status === 200).length).to.be.greaterThan(
        2,
      );
    } finally {
      await containerd.stop();
      await dir.stop();
    }
  });

  it('refuses a .tar.xz of one xz block, naming it and the command that converts it; the plain tar it decompresses to is served', async () => {
    const xz = requireTool('xz', 'xz-utils');
    const dir = await makeTempDir('bmpack-serve-single-');
    try {
      const tarFile = join(dir.path, 'single.tar');
      const single = `${tarFile}.xz`;
      await writeFile(tarFile, await runTool(xz, ['-dc', bundle]));
      // xz without -T writes one block.
      await writeFile(single, await runTool(xz, ['-c', '-0', tarFile]));
      const err = await serveBundles({ sources: [single], listen: '127.0.0.1:0' }).catch(
        (e: unknown) => e,
      );
      expect(err).to.have.property('code', 'E_BUNDLE_INVALID');
      expect(err).to.have.property('message').that.contains(`${single} is one xz block`);
      expect(err).to.have.property('hint').that.contains(`xz -dk ${single}`);
      const plain = await serveBundles({ sources: [tarFile], listen: '127.0.0.1:0' });
      try {
        const res = await fetch(`http://${plain.address}/v2/_catalog`);
        expect(((await res.json()) as { repositories: string[] }).repositories).to.have.length(
          paths().length,
        );
      } finally {
        await plain.close();
      }
    } finally {
      await dir.stop();
    }
  });
});
