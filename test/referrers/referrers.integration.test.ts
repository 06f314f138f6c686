/**
 * Signatures and other referrers come along (issue 15, items 1 and 2, by
 * tag): cosign's `sha256-<hex>.sig` and `.att` tags, a signature of the
 * attestation (found by asking again), and an SBOM artifact in the
 * referrers tag schema index, all made at test time in cosign's formats
 * and put into a real registry. bundle create carries them at one tag list
 * per repository; push recreates them at the target byte for byte, where
 * cosign (which looks up the same tags) finds them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import { attachSbom, cosignSign, makeKey } from '../rig/cosign.js';
import { startFaultProxy, type FaultProxy } from '../rig/fault-proxy.js';
import { makeImage } from '../rig/image-generator.js';
import { clientFor, digestAt } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { errorOf, why } from '../reliability/network-faults-kit.js';

describe('signatures and referrers travel with their images', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let proxy: FaultProxy;
  let target: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  const signed = makeImage({ seed: 81, layers: 1, layerSize: 2000, format: 'oci' });
  const plain = makeImage({ seed: 82, layers: 1, layerSize: 2000, format: 'oci' });
  const made: Record<string, { tag: string; digest: string }> = {};
  let artifact = '';
  const key = makeKey();

  before(async () => {
    source = await startRegistry('anonymous');
    await seedImage(source, signed, 'app/signed:1');
    await seedImage(source, plain, 'other/plain:1');
    const client = clientFor(source);
    const at = { registry: source.host, repository: 'app/signed' };
    try {
      made.sig = await cosignSign(client, at, signed.manifestDigest, key, 'sig');
      made.att = await cosignSign(client, at, signed.manifestDigest, key, 'att');
      made.attSig = await cosignSign(client, at, made.att.digest, key, 'sig');
      const sbom = await attachSbom(client, at, {
        digest: signed.manifestDigest,
        size: signed.manifest.length,
        mediaType: signed.mediaType,
      });
      made.sbom = sbom.index;
      artifact = sbom.artifact;
      // A signature of an image that is not bundled stays behind.
      await cosignSign(client, at, `sha256:${'0'.repeat(64)}`, key, 'sig');
    } finally {
      await client.close();
    }
    proxy = await startFaultProxy(source);
    work = await writeImageSet([`${proxy.host}/app/signed:1`, `${proxy.host}/other/plain:1`]);
    target = await startRegistry('anonymous');
  });
  after(async () => {
    await target.stop();
    await proxy.stop();
    await source.stop();
    await work.cleanup();
  });

  const create = (name: string, extra: Partial<Parameters<typeof createBundle>[0]> = {}) =>
    createBundle({
      manifests: [work.file],
      output: join(work.dir, name),
      cacheDir: join(work.dir, `cache-${name}`),
      insecureRegistries: [proxy.host],
      env: {},
      ...extra,
    });

  async function namesIn(bundle: string): Promise<string[]> {
    const b = await openBundleSource(bundle);
    try {
      return b.images.map((i) => i.name).sort();
    } finally {
      await b.close();
    }
  }

  it('create carries the signature, the attestation and its signature, and the SBOM index, at one tag list per repository', async () => {
    proxy.requests.length = 0;
    const result = await create('all.tar.xz');
    const repo = `${proxy.host}/app/signed`;
    expect(await namesIn(result.output)).to.eql(
      [
        `${proxy.host}/other/plain:1`,
        `${repo}:1`,
        `${repo}:${made.sig!.tag}`,
        `${repo}:${made.att!.tag}`,
        `${repo}:${made.attSig!.tag}`,
        `${repo}:${made.sbom!.tag}`,
      ].sort(),
    );
    const lists = proxy.requests.filter((r) => r.path.includes('/tags/list'));
    expect(lists.map((r) => r.path.replace(/\?.*/, '')).sort()).to.eql([
      '/v2/app/signed/tags/list',
      '/v2/other/plain/tags/list',
    ]);
  });

  it('--referrers none carries none; a kind carries only that kind', async () => {
    expect(
      await namesIn((await create('none.tar.xz', { referrers: 'none' })).output),
    ).to.have.length(2);
    const sigs = await namesIn((await create('sig.tar.xz', { referrers: ['signature'] })).output);
    // The attestation stays behind, and so its signature is not looked for.
    expect(sigs.filter((n) => n.endsWith('.sig'))).to.eql([
      `${proxy.host}/app/signed:${made.sig!.tag}`,
    ]);
    expect(sigs).to.have.length(3);
  });

  it('push recreates every referrer tag at the target, byte for byte, and the SBOM artifact by digest', async () => {
    const bundle = (await create('push.tar.xz')).output;
    await pushImages({
      source: bundle,
      privateRegistry: `${target.host}/mirror`,
      host: { plainHttp: true },
    });
    for (const m of Object.values(made)) {
      expect(await digestAt(target, `mirror/app/signed:${m.tag}`), m.tag).to.equal(m.digest);
    }
    expect(await digestAt(target, `mirror/app/signed@${artifact}`)).to.equal(artifact);
    expect(await digestAt(target, 'mirror/app/signed:1')).to.equal(signed.manifestDigest);
  });

  it('bundle verify --key: signed with the right key, E_SIGNATURE_INVALID with another or over another digest, --require-signed names the unsigned', async () => {
    requireBuiltCli();
    const bundle = (await create('verify.tar.xz')).output;
    const right = join(work.dir, 'right.pub');
    const wrong = join(work.dir, 'wrong.pub');
    await writeFile(right, key.publicKeyPem);
    await writeFile(wrong, makeKey().publicKeyPem);
    const ok = await runCli(['bundle', 'verify', bundle, '--key', right, '--json']);
    expect(ok.code, why(ok)).to.equal(0);
    const checks = (
      JSON.parse(ok.stdout) as {
        signatures: Array<{ image: string; status: string; key?: string; reference?: string }>;
      }
    ).signatures;
    const signedCheck = checks.find((c) => c.image.endsWith('app/signed:1'));
    expect(signedCheck).to.include({
      status: 'signed',
      key: right,
      reference: `${source.host}/app/signed`,
    });
    expect(checks.find((c) => c.image.endsWith('other/plain:1'))?.status).to.equal('unsigned');
    const other = await runCli(['bundle', 'verify', bundle, '--key', wrong, '--json']);
    expect(other.code, why(other)).to.equal(7);
    expect(errorOf(other).code).to.equal('E_SIGNATURE_INVALID');
    expect(errorOf(other).message).to.contain('app/signed:1');
    const strict = await runCli([
      'bundle',
      'verify',
      bundle,
      '--key',
      right,
      '--require-signed',
      '--json',
    ]);
    expect(strict.code, why(strict)).to.equal(7);
    expect(errorOf(strict)).to.include({ code: 'E_UNSIGNED' });
    expect(errorOf(strict).message).to.contain('other/plain:1');
    // A signature whose payload claims another digest, under the plain image's tag.
    const client = clientFor(source);
    try {
      await cosignSign(
        client,
        { registry: source.host, repository: 'other/plain' },
        plain.manifestDigest,
        key,
        'sig',
        signed.manifestDigest,
      );
    } finally {
      await client.close();
    }
    const swapped = (await create('swapped.tar.xz')).output;
    const run = await runCli(['bundle', 'verify', swapped, '--key', right, '--json']);
    expect(run.code, why(run)).to.equal(7);
    expect(errorOf(run).message)
      .to.contain('other/plain:1')
      .and.contain(`over ${signed.manifestDigest}`);
  });
});
