/**
 * Signatures and other referrers come along (issue 15, items 1 and 2):
 * cosign's `sha256-<hex>.sig` and `.att` tags, a signature of the
 * attestation (found by asking again), an SBOM artifact with `subject`
 * listed in the referrers tag schema index, and — through canned answers
 * of the referrers API, which distribution 2.8 lacks — an artifact listed
 * only there; all made at test time in cosign's and oras's formats and put
 * into a real registry. bundle create carries them at one tag list per
 * repository and one referrers question per registry; push recreates them
 * at the target, cosign tags as tags and the fallback index by
 * read-modify-write, keeping the entries already there.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import {
  attachArtifact,
  cosignAttest,
  cosignSign,
  makeKey,
  slsaProvenance,
} from '../rig/cosign.js';
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
  const subject = {
    digest: signed.manifestDigest,
    size: signed.manifest.length,
    mediaType: signed.mediaType,
  };
  const made: Record<string, { tag: string; digest: string }> = {};
  let sbom: Awaited<ReturnType<typeof attachArtifact>>;
  let scan: Awaited<ReturnType<typeof attachArtifact>>;
  const key = makeKey();
  let allBundle = '';

  before(async () => {
    source = await startRegistry('anonymous');
    await seedImage(source, signed, 'app/signed:1');
    await seedImage(source, plain, 'other/plain:1');
    const client = clientFor(source);
    const at = { registry: source.host, repository: 'app/signed' };
    try {
      made.sig = await cosignSign(client, at, signed.manifestDigest, key);
      made.att = await cosignAttest(client, at, signed.manifestDigest, key);
      made.attSig = await cosignSign(client, at, made.att.digest, key);
      sbom = await attachArtifact(client, at, subject);
      // Listed by no tag: only a registry with the referrers API names it.
      scan = await attachArtifact(client, at, subject, {
        artifactType: 'application/vnd.example.scan+json',
        content: '{"findings":[]}',
        fallbackIndex: false,
      });
      // A signature of an image that is not bundled stays behind.
      await cosignSign(client, at, `sha256:${'0'.repeat(64)}`, key);
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

  /** Create from another image set, which must fail: its error. */
  const createFails = (
    set: { readonly file: string; readonly dir: string },
    extra: Partial<Parameters<typeof createBundle>[0]> = {},
  ): Promise<unknown> =>
    createBundle({
      manifests: [set.file],
      output: join(set.dir, 'failed.tar.xz'),
      cacheDir: join(set.dir, 'cache'),
      insecureRegistries: [proxy.host],
      env: {},
      ...extra,
    }).then(
      () => expect.fail('created a bundle'),
      (err: unknown) => err,
    );

  async function contents(bundle: string) {
    const b = await openBundleSource(bundle);
    try {
      return {
        names: b.images.map((i) => i.name).sort(),
        records: b.metadata?.images ?? [],
      };
    } finally {
      await b.close();
    }
  }

  it('create carries the signature, the attestation and its signature, and the SBOM of the fallback index, at one tag list per repository and one referrers question', async () => {
    proxy.requests.length = 0;
    const result = await create('all.tar.xz');
    allBundle = result.output;
    const repo = `${proxy.host}/app/signed`;
    const { names, records } = await contents(result.output);
    expect(names).to.eql(
      [
        `${proxy.host}/other/plain:1`,
        `${repo}:1`,
        `${repo}:${made.sig!.tag}`,
        `${repo}:${made.att!.tag}`,
        `${repo}:${made.attSig!.tag}`,
        `${repo}@${sbom.artifact}`,
      ].sort(),
    );
    const lists = proxy.requests.filter((r) => r.path.includes('/tags/list'));
    expect(lists.map((r) => r.path.replace(/\?.*/, '')).sort()).to.eql([
      '/v2/app/signed/tags/list',
      '/v2/other/plain/tags/list',
    ]);
    // Listed while the images are walked, not after: before the first config is read.
    const firstBlob = proxy.requests.findIndex((r) => r.path.includes('/blobs/'));
    expect(lists.map((r) => proxy.requests.indexOf(r)).every((i) => i < firstBlob)).to.equal(true);
    // distribution 2.8 has no referrers API: asked once, then never again.
    const asked = proxy.requests.filter((r) => r.path.includes('/referrers/'));
    expect(asked.map((r) => r.status)).to.eql([404]);
    const link = (ref: string) => records.find((r) => r.ref === ref)?.referrer;
    expect(link(`${repo}:${made.sig!.tag}`)).to.eql({
      of: `${repo}:1`,
      subject: signed.manifestDigest,
      kind: 'signature',
      via: 'tag',
    });
    expect(link(`${repo}:${made.attSig!.tag}`)).to.include({
      of: `${repo}:1`,
      subject: made.att!.digest,
      kind: 'signature',
    });
    expect(link(`${repo}@${sbom.artifact}`)).to.eql({
      of: `${repo}:1`,
      subject: signed.manifestDigest,
      kind: 'sbom',
      artifactType: 'application/spdx+json',
      via: 'subject',
    });
    expect(link(`${repo}:1`)).to.equal(undefined);
  });

  it('bundle inspect lists under each image its signatures, attestations with predicate types, SBOMs; --json carries them', async () => {
    requireBuiltCli();
    const json = await runCli(['bundle', 'inspect', allBundle, '--json']);
    expect(json.code, why(json)).to.equal(0);
    const images = (
      JSON.parse(json.stdout) as {
        images: Array<{
          ref: string;
          referrers: Array<{
            digest: string;
            kind: string;
            subject: string;
            predicateTypes?: string[];
          }>;
        }>;
      }
    ).images;
    const repo = `${proxy.host}/app/signed`;
    expect(images.map((i) => i.ref).sort()).to.eql([`${repo}:1`, `${proxy.host}/other/plain:1`]);
    expect(images.find((i) => i.ref.endsWith('plain:1'))?.referrers).to.eql([]);
    const refs = images.find((i) => i.ref === `${repo}:1`)?.referrers ?? [];
    expect(refs.map((r) => [r.kind, r.digest, r.subject])).to.have.deep.members([
      ['signature', made.sig!.digest, signed.manifestDigest],
      ['signature', made.attSig!.digest, made.att!.digest],
      ['attestation', made.att!.digest, signed.manifestDigest],
      ['sbom', sbom.artifact, signed.manifestDigest],
    ]);
    expect(refs.find((r) => r.kind === 'attestation')?.predicateTypes).to.eql([slsaProvenance]);
    const text = await runCli(['bundle', 'inspect', allBundle]);
    expect(text.code, why(text)).to.equal(0);
    expect(text.stdout)
      .to.contain(`attestation  ${made.att!.digest}  ${slsaProvenance}  (cosign tag)`)
      .and.contain(`SBOM  ${sbom.artifact}  application/spdx+json  (by subject)`)
      .and.contain(`signature  ${made.attSig!.digest}  (cosign tag)  of ${made.att!.digest}`);
  });

  it('--referrers none carries none; a kind carries only that kind', async () => {
    expect(
      (await contents((await create('none.tar.xz', { referrers: 'none' })).output)).names,
    ).to.have.length(2);
    const { names } = await contents(
      (await create('sig.tar.xz', { referrers: ['signature'] })).output,
    );
    // The attestation stays behind, and so its signature is not looked for; so does the SBOM.
    expect(names.filter((n) => !n.endsWith(':1'))).to.eql([
      `${proxy.host}/app/signed:${made.sig!.tag}`,
    ]);
  });

  it('a repository whose tags cannot be listed comes without signatures and one warning; tags listed ahead for an image that then fails warn of nothing', async () => {
    proxy.addRule({
      match: (r) => r.path.startsWith('/v2/other/plain/tags/list'),
      action: {
        kind: 'status',
        status: 403,
        body: '{"errors":[{"code":"DENIED","message":"listing is not allowed"}]}',
      },
    });
    const warnings: string[] = [];
    const onEvent = (e: { type: string; message?: string }) => {
      if (e.type === 'warning' && e.message !== undefined) warnings.push(e.message);
    };
    const failing = await writeImageSet([
      `${proxy.host}/other/plain:1`,
      `${proxy.host}/nowhere/image:1`,
    ]);
    try {
      await create('denied.tar.xz', { onEvent });
      const denied = warnings.filter((w) => w.includes('cannot list the tags'));
      expect(denied).to.have.length(1);
      expect(denied[0]).to.contain(`${proxy.host}/other/plain`);
      warnings.length = 0;
      const failed = await createFails(failing, { onEvent });
      expect(failed).to.have.property('code', 'E_NOT_FOUND');
      expect(warnings.filter((w) => w.includes('cannot list the tags'))).to.eql([]);
    } finally {
      proxy.clearRules();
      await failing.cleanup();
    }
  });

  it('tag lists not yet started when a walk fails are never asked, and nothing reaches the registry once create has failed', async () => {
    const repos = Array.from({ length: 10 }, (_, i) => `many/r${i}`);
    for (const repo of repos) await seedImage(source, plain, `${repo}:1`);
    // Each list answers slowly, so that most still wait for a slot when the walk fails.
    proxy.addRule({
      match: (r) => r.path.includes('/tags/list'),
      action: { kind: 'stall', ms: 400, afterBytes: 0 },
    });
    const set = await writeImageSet([
      `${proxy.host}/nowhere/image:1`,
      ...repos.map((r) => `${proxy.host}/${r}:1`),
    ]);
    try {
      proxy.requests.length = 0;
      const failed = await createFails(set);
      expect(failed).to.have.property('code', 'E_NOT_FOUND');
      const asked = proxy.requests.length;
      const lists = proxy.requests.filter((r) => r.path.includes('/tags/list')).length;
      // 8 lists at a time: those started before the failure, not the 11 listed.
      expect(lists).to.equal(8);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(proxy.requests.length).to.equal(asked);
    } finally {
      proxy.clearRules();
      await set.cleanup();
    }
  });

  it('the referrers API, where a registry has it: every page is read, and what it lists comes by digest', async () => {
    const path = `/v2/app/signed/referrers/${signed.manifestDigest}`;
    const page = (manifests: unknown[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests,
      });
    proxy.addRule({
      match: (r) => r.path.startsWith(`${path}?last=`),
      action: { kind: 'status', status: 200, body: page([scan.descriptor]) },
    });
    proxy.addRule({
      match: (r) => r.path === path,
      action: {
        kind: 'status',
        status: 200,
        headers: { link: `<${path}?last=1>; rel="next"` },
        body: page([sbom.descriptor]),
      },
    });
    proxy.addRule({
      match: (r) => r.path.includes('/referrers/'),
      action: { kind: 'status', status: 200, body: page([]) },
    });
    try {
      proxy.requests.length = 0;
      const { names, records } = await contents((await create('api.tar.xz')).output);
      const repo = `${proxy.host}/app/signed`;
      expect(names).to.include.members([`${repo}@${sbom.artifact}`, `${repo}@${scan.artifact}`]);
      expect(records.find((r) => r.ref === `${repo}@${scan.artifact}`)?.referrer).to.include({
        kind: 'referrers',
        artifactType: 'application/vnd.example.scan+json',
        subject: signed.manifestDigest,
      });
      expect(proxy.requests.filter((r) => r.path.startsWith(path)).map((r) => r.path)).to.eql([
        path,
        `${path}?last=1`,
      ]);
      // With the API, the fallback tag is not read.
      expect(proxy.requests.some((r) => r.path.endsWith(`/manifests/${sbom.index!.tag}`))).to.equal(
        false,
      );
    } finally {
      proxy.clearRules();
    }
  });

  it('push recreates every cosign tag byte for byte, and adds the SBOM to the fallback index at the target, keeping the entry already there', async () => {
    const bundle = (await create('push.tar.xz')).output;
    const client = clientFor(target);
    let earlier: Awaited<ReturnType<typeof attachArtifact>>;
    try {
      earlier = await attachArtifact(
        client,
        { registry: target.host, repository: 'mirror/app/signed' },
        subject,
        {
          content: '{"spdxVersion":"SPDX-2.3","name":"earlier"}',
        },
      );
    } finally {
      await client.close();
    }
    const push = () =>
      pushImages({
        source: bundle,
        privateRegistry: `${target.host}/mirror`,
        host: { plainHttp: true },
      });
    const first = await push();
    for (const m of Object.values(made)) {
      expect(await digestAt(target, `mirror/app/signed:${m.tag}`), m.tag).to.equal(m.digest);
    }
    expect(await digestAt(target, `mirror/app/signed@${sbom.artifact}`)).to.equal(sbom.artifact);
    expect(await digestAt(target, 'mirror/app/signed:1')).to.equal(signed.manifestDigest);
    const fallback = `mirror/app/signed:${sbom.index!.tag}`;
    expect(first.referrerIndexes).to.eql([`${target.host}/${fallback}`]);
    const reader = clientFor(target);
    try {
      const index = await reader.getManifest({
        registry: target.host,
        repository: 'mirror/app/signed',
        tag: sbom.index!.tag,
      });
      expect(index.manifest.kind).to.equal('index');
      const entries = index.manifest.kind === 'index' ? index.manifest.manifests : [];
      expect(entries.map((e) => e.digest)).to.eql([earlier.artifact, sbom.artifact]);
      expect(entries[1]).to.include({
        artifactType: 'application/spdx+json',
        size: sbom.descriptor.size,
      });
    } finally {
      await reader.close();
    }
    // Run again: the index holds every entry already, and is not written.
    expect((await push()).referrerIndexes).to.equal(undefined);
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
