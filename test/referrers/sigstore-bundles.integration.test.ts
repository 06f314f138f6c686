/**
 * Sigstore bundles (cosign v3's image signatures) travel and verify offline
 * (issue 15, items 1, 2, 4 and 5). Bundles are signed at test time in
 * cosign's exact format (see test/rig/sigstore.ts) with a test key, a test
 * CA's certificate and a test transparency log, put into a real registry as
 * OCI 1.1 referrers listed in the referrers tag schema index (distribution
 * 2.8 has no referrers API), carried by bundle create, recreated by push,
 * and checked by bundle verify with the sigstore project's own verifier.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import { serveBundles } from '../../src/serve/index.js';
import {
  loadSignatureTrust,
  verifySignatures,
  type SignatureTrust,
} from '../../src/referrers/index.js';
import { checkSigstoreBundle } from '../../src/referrers/sigstore-bundle-check.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { cosignSign, makeKey } from '../rig/cosign.js';
import { startFaultProxy } from '../rig/fault-proxy.js';
import { makeImage } from '../rig/image-generator.js';
import { clientFor } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';
import {
  attachBundle,
  bundleMediaType,
  makeCertificate,
  makeLog,
  signBundle,
  signMessageBundle,
  certificateKey,
  rekorAnnotations,
  trustedRoot,
  type TestCertificate,
} from '../rig/sigstore.js';
import { errorOf, why } from '../reliability/network-faults-kit.js';

const identity = 'release@example.test';
const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const issuer = 'https://issuer.example.test';
const slsa = 'https://slsa.dev/provenance/v1';

describe('Sigstore bundles: carried as referrers, verified offline with @sigstore/verify', function () {
  this.timeout(120_000);
  const key = makeKey();
  const otherKey = makeKey();
  const log = makeLog();
  let certificate: TestCertificate;
  let dir: string;
  const files: Record<string, string> = {};
  const image = makeImage({ seed: 91, layers: 1, layerSize: 1000, format: 'oci' });
  const digest = image.manifestDigest;
  const manifest = () => Promise.resolve(image.manifest);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bmpack-sigstore-'));
    certificate = await makeCertificate(dir, identity, issuer);
    const write = async (name: string, text: string) => {
      files[name] = join(dir, name);
      await writeFile(files[name], text);
    };
    await write('key.pub', key.publicKeyPem);
    await write('other.pub', otherKey.publicKeyPem);
    await write('root.json', trustedRoot({ certificate, log }));
    await write('ca-only.json', trustedRoot({ certificate }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const trust = (o: { keys?: string[]; root?: string; identity?: [string, string] }) =>
    loadSignatureTrust({
      keys: o.keys ?? [],
      ...(o.root !== undefined ? { trustedRoot: o.root } : {}),
      ...(o.identity !== undefined
        ? { identity: { subject: o.identity[0], issuer: o.identity[1] } }
        : {}),
    });
  const check = async (bundle: Buffer, t: SignatureTrust) =>
    checkSigstoreBundle(bundle, { digest, manifest }, t);

  describe('one bundle, checked', () => {
    it('a key-signed bundle verifies with its key, and with no other', async () => {
      const bundle = signBundle(digest, { key });
      expect(await check(bundle, await trust({ keys: [files['key.pub']!] }))).to.deep.include({
        ok: true,
        key: files['key.pub'],
        transparencyLog: 'absent',
      });
      const other = await check(bundle, await trust({ keys: [files['other.pub']!] }));
      expect(other.ok).to.equal(false);
      expect(other).to.have.property('problem').that.contains('no given key verifies it');
      expect(other).to.not.have.property('unverifiable');
    });

    it('a message-signature bundle signs the manifest bytes: it verifies for this image, and is over another digest for any other', async () => {
      const bundle = signMessageBundle(image.manifest, key);
      const keys = await trust({ keys: [files['key.pub']!] });
      expect(await check(bundle, keys)).to.deep.include({ ok: true, key: files['key.pub'] });
      const other = makeImage({ seed: 95, layers: 1, layerSize: 1000, format: 'oci' });
      const v = await checkSigstoreBundle(
        bundle,
        { digest: other.manifestDigest, manifest: () => Promise.resolve(other.manifest) },
        keys,
      );
      expect(v).to.deep.equal({ ok: false, problem: `a signature over ${digest}, not this image` });
    });

    it('a bundle whose statement names another digest is a signature over it, not this image', async () => {
      const bundle = signBundle(digest, { key, claim: `sha256:${'1'.repeat(64)}` });
      const v = await check(bundle, await trust({ keys: [files['key.pub']!] }));
      expect(v).to.deep.equal({
        ok: false,
        problem: `a signature over sha256:${'1'.repeat(64)}, not this image`,
      });
    });

    it("an attestation's bundle is not taken for a signature", async () => {
      const bundle = signBundle(digest, { key, predicateType: slsa });
      const v = await check(bundle, await trust({ keys: [files['key.pub']!] }));
      expect(v).to.have.property('problem').that.contains(`an attestation (${slsa})`);
    });

    it("its transparency-log entry: verified with the log's key in the trusted root, said to be unchecked without it, failing when its proofs are wrong", async () => {
      const bundle = signBundle(digest, { key, log });
      const keys = [files['key.pub']!];
      expect(await check(bundle, await trust({ keys, root: files['root.json']! }))).to.deep.include(
        { ok: true, transparencyLog: 'verified', notes: [] },
      );
      expect(await check(bundle, await trust({ keys }))).to.deep.include({
        ok: true,
        transparencyLog: 'unchecked',
        notes: ['its transparency-log entry was not checked: no trusted root was given'],
      });
      const caOnly = await check(bundle, await trust({ keys, root: files['ca-only.json']! }));
      expect(caOnly)
        .to.have.property('notes')
        .that.deep.equals([
          `its transparency-log entry was not checked: ${files['ca-only.json']} has no transparency log key`,
        ]);
      const forged = signBundle(digest, { key, log, badLogProof: true });
      const bad = await check(forged, await trust({ keys, root: files['root.json']! }));
      expect(bad.ok).to.equal(false);
      expect(bad)
        .to.have.property('problem')
        .that.matches(/inclusion (promise|proof)|checkpoint/);
    });

    it('a certificate-signed bundle verifies against the trusted root and the identity and issuer asked for', async () => {
      const bundle = signBundle(digest, { certificate, log });
      const root = files['root.json']!;
      expect(
        await check(bundle, await trust({ root, identity: [identity, issuer] })),
      ).to.deep.include({
        ok: true,
        identity: { subject: identity, issuer },
        transparencyLog: 'verified',
      });
      const someoneElse = await check(
        bundle,
        await trust({ root, identity: ['mallory@example.test', issuer] }),
      );
      expect(someoneElse)
        .to.have.property('problem')
        .that.equals(
          `signed by ${identity} (issuer ${issuer}), not by mallory@example.test (issuer ${issuer})`,
        );
      expect(await check(bundle, await trust({ keys: [files['key.pub']!] }))).to.deep.equal({
        ok: false,
        problem: 'signed with a certificate, which needs a trusted root to check offline',
        unverifiable: true,
      });
      expect(await check(bundle, await trust({ root }))).to.include({ unverifiable: true });
      // A root whose CA did not issue it: the chain fails.
      const stranger = await makeCertificate(await mkdtemp(join(dir, 'b-')), identity, issuer);
      const otherRoot = join(dir, 'other-root.json');
      await writeFile(otherRoot, trustedRoot({ certificate: stranger, log }));
      const unchained = await check(
        bundle,
        await trust({ root: otherRoot, identity: [identity, issuer] }),
      );
      expect(unchained)
        .to.have.property('problem')
        .that.contains('its certificate does not verify');
    });

    it('a trusted root that is not one is refused, naming the file', async () => {
      await writeFile(join(dir, 'not-root.json'), '{"mediaType":"application/json"}');
      const err = await trust({ root: join(dir, 'not-root.json') }).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'E_CONFIG_INVALID');
      expect(err).to.have.property('message').that.contains('not-root.json');
    });
  });

  describe('from a registry, through create, push and verify', () => {
    let source: RunningRegistry;
    let target: RunningRegistry;
    let work: Awaited<ReturnType<typeof writeImageSet>>;
    const keyed = makeImage({ seed: 92, layers: 1, layerSize: 1500, format: 'oci' });
    const certified = makeImage({ seed: 93, layers: 1, layerSize: 1500, format: 'oci' });
    const plain = makeImage({ seed: 94, layers: 1, layerSize: 1500, format: 'oci' });
    const made: Record<string, string> = {};
    let bundle = '';
    let keyedBundle: Buffer = Buffer.alloc(0);
    const subjectOf = (i: typeof keyed) => ({
      digest: i.manifestDigest,
      size: i.manifest.length,
      mediaType: i.mediaType,
    });

    before(async () => {
      source = await startRegistry('anonymous');
      target = await startRegistry('anonymous');
      await seedImage(source, keyed, 'app/keyed:1');
      await seedImage(source, certified, 'app/certified:1');
      await seedImage(source, plain, 'app/plain:1');
      const client = clientFor(source);
      const at = (repository: string) => ({ registry: source.host, repository });
      try {
        const k = keyed.manifestDigest;
        keyedBundle = signBundle(k, { key, log });
        made.keyed = (
          await attachBundle(client, at('app/keyed'), subjectOf(keyed), keyedBundle)
        ).artifact;
        made.provenance = (
          await attachBundle(
            client,
            at('app/keyed'),
            subjectOf(keyed),
            signBundle(k, { key, predicateType: slsa }),
            slsa,
          )
        ).artifact;
        const c = certified.manifestDigest;
        made.certified = (
          await attachBundle(
            client,
            at('app/certified'),
            subjectOf(certified),
            signBundle(c, { certificate, log }),
          )
        ).artifact;
      } finally {
        await client.close();
      }
      work = await writeImageSet([
        `${source.host}/app/keyed:1`,
        `${source.host}/app/certified:1`,
        `${source.host}/app/plain:1`,
      ]);
      bundle = (
        await createBundle({
          manifests: [work.file],
          output: join(work.dir, 'signed.tar.xz'),
          cacheDir: join(work.dir, 'cache'),
          insecureRegistries: [source.host],
          env: {},
        })
      ).output;
    });
    after(async () => {
      await target.stop();
      await source.stop();
      await work.cleanup();
    });

    it('create carries each bundle by subject; the signature is a signature, the provenance an attestation with its predicate type', async () => {
      const b = await openBundleSource(bundle);
      const records = b.metadata?.images ?? [];
      await b.close();
      const link = (repo: string, d: string) =>
        records.find((r) => r.ref === `${source.host}/${repo}@${d}`)?.referrer;
      expect(link('app/keyed', made.keyed!)).to.deep.equal({
        of: `${source.host}/app/keyed:1`,
        subject: keyed.manifestDigest,
        kind: 'signature',
        artifactType: bundleMediaType,
        via: 'subject',
      });
      expect(link('app/keyed', made.provenance!)).to.deep.include({
        kind: 'attestation',
        predicateTypes: [slsa],
      });
      expect(link('app/certified', made.certified!)).to.include({ kind: 'signature' });
    });

    it('push puts each referrer after its subject, and lists them, annotations kept, in the fallback index', async () => {
      const front = await startFaultProxy(target);
      // The subject's layer is refused once: retried, it ends well after the referrers' blobs.
      const layer = keyed.layers[0]!.digest;
      front.addRule({
        match: (r) =>
          r.method === 'PUT' &&
          (r.path.includes(layer) || r.path.includes(encodeURIComponent(layer))),
        times: 1,
        action: { kind: 'status', status: 503 },
      });
      try {
        await pushImages({
          source: bundle,
          privateRegistry: `${front.host}/site`,
          host: { plainHttp: true },
        });
        const puts = front.requests
          .filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))
          .map((r) => r.path);
        const at = (repo: string, ref: string) =>
          puts.findIndex((p) => p === `/v2/site/${repo}/manifests/${ref}`);
        const subject =
          at('app/keyed', keyed.manifestDigest) >= 0
            ? at('app/keyed', keyed.manifestDigest)
            : at('app/keyed', '1');
        expect(subject, puts.join('\n')).to.be.at.least(0);
        expect(front.requests.filter((r) => r.fault === 'status')).to.have.length(1);
        for (const r of [made.keyed!, made.provenance!])
          expect(at('app/keyed', r), `${r} after its subject`).to.be.greaterThan(subject);
      } finally {
        await front.stop();
      }
      const client = clientFor(target);
      try {
        const index = await client.getManifest({
          registry: target.host,
          repository: 'site/app/keyed',
          tag: keyed.manifestDigest.replace(':', '-'),
        });
        const entries = index.manifest.kind === 'index' ? index.manifest.manifests : [];
        expect(entries.map((e) => e.digest).sort()).to.eql([made.keyed, made.provenance].sort());
        const sig = entries.find((e) => e.digest === made.keyed);
        expect(sig?.artifactType).to.equal(bundleMediaType);
        expect(sig?.annotations?.['dev.sigstore.bundle.content']).to.equal('dsse-envelope');
      } finally {
        await client.close();
      }
    });

    it('bundle verify: the key-signed and the certificate-signed images are signed, the log verified; --require-signed names the unsigned one', async () => {
      requireBuiltCli();
      const all = [
        '--key',
        files['key.pub']!,
        '--trusted-root',
        files['root.json']!,
        '--certificate-identity',
        identity,
        '--certificate-oidc-issuer',
        issuer,
      ];
      const run = await runCli(['bundle', 'verify', bundle, ...all, '--json']);
      expect(run.code, why(run)).to.equal(0);
      const checks = (JSON.parse(run.stdout) as { signatures: Array<Record<string, unknown>> })
        .signatures;
      const of = (repo: string) => checks.find((c) => String(c.image).endsWith(`${repo}:1`));
      expect(of('app/keyed')).to.include({
        status: 'signed',
        form: 'sigstore-bundle',
        key: files['key.pub'],
        transparencyLog: 'verified',
      });
      expect(of('app/certified')).to.deep.include({
        status: 'signed',
        identity: { subject: identity, issuer },
        transparencyLog: 'verified',
      });
      expect(of('app/plain')).to.include({ status: 'unsigned' });
      const text = await runCli(['bundle', 'verify', bundle, ...all]);
      expect(text.stdout).to.match(
        new RegExp(
          `signed +${source.host}/app/certified:1 \\(${identity} \\(issuer ${issuer}\\), Sigstore bundle, transparency log verified\\)`,
        ),
      );
      const strict = await runCli([
        'bundle',
        'verify',
        bundle,
        ...all,
        '--require-signed',
        '--json',
      ]);
      expect(strict.code, why(strict)).to.equal(7);
      expect(errorOf(strict).code).to.equal('E_UNSIGNED');
      expect(errorOf(strict).message).to.contain('app/plain:1').and.not.contain('app/keyed');
    });

    it('a delta carries a fresh signature of an image its base holds, with every signature blob, so that it verifies alone; push adds it to the fallback index', async () => {
      requireBuiltCli();
      const fresh = signBundle(plain.manifestDigest, { key });
      const client = clientFor(source);
      try {
        made.fresh = (
          await attachBundle(
            client,
            { registry: source.host, repository: 'app/plain' },
            subjectOf(plain),
            fresh,
          )
        ).artifact;
      } finally {
        await client.close();
      }
      const delta = (
        await createBundle({
          manifests: [work.file],
          output: join(work.dir, 'delta.tar.xz'),
          cacheDir: join(work.dir, 'cache'),
          insecureRegistries: [source.host],
          since: bundle,
          env: {},
        })
      ).output;
      const b = await openBundleSource(delta);
      const held = new Set(b.metadata?.blobs.map((x) => x.digest));
      const records = b.metadata?.images ?? [];
      await b.close();
      expect(
        records.find((r) => r.ref === `${source.host}/app/plain@${made.fresh}`)?.referrer,
      ).to.include({ kind: 'signature', subject: plain.manifestDigest });
      expect(held.has(sha256(fresh)), 'the new bundle blob').to.equal(true);
      expect(held.has(sha256(keyedBundle)), 'an old one').to.equal(true);
      expect(held.has(plain.layers[0]!.digest), 'an image layer the base holds').to.equal(false);
      const run = await runCli(['bundle', 'verify', delta, '--key', files['key.pub']!, '--json']);
      expect(run.code, why(run)).to.equal(0);
      const checks = (JSON.parse(run.stdout) as { signatures: Array<Record<string, unknown>> })
        .signatures;
      expect(checks.find((c) => String(c.image).endsWith('app/plain:1'))).to.include({
        status: 'signed',
      });
      await pushImages({
        source: delta,
        privateRegistry: `${target.host}/site`,
        host: { plainHttp: true },
      });
      const reader = clientFor(target);
      try {
        const index = await reader.getManifest({
          registry: target.host,
          repository: 'site/app/plain',
          tag: plain.manifestDigest.replace(':', '-'),
        });
        const entries = index.manifest.kind === 'index' ? index.manifest.manifests : [];
        expect(entries.map((e) => e.digest)).to.eql([made.fresh]);
      } finally {
        await reader.close();
      }
    });

    it('bmpack serve answers the referrers API from the bundle (artifactType filter too), and a bundle created from it carries them by subject', async () => {
      const served = await serveBundles({
        sources: [bundle],
        listen: '127.0.0.1:0',
        namespace: 'ns',
      });
      try {
        const base = `http://${served.address}/v2/ns/app/keyed/referrers/${keyed.manifestDigest}`;
        const all = await fetch(base);
        expect(all.status).to.equal(200);
        expect(all.headers.get('content-type')).to.equal('application/vnd.oci.image.index.v1+json');
        const listed = (
          (await all.json()) as { manifests: Array<{ digest: string; artifactType?: string }> }
        ).manifests;
        expect(listed.map((d) => d.digest).sort()).to.eql([made.keyed, made.provenance].sort());
        const filtered = await fetch(
          `${base}?artifactType=${encodeURIComponent('application/spdx+json')}`,
        );
        expect(filtered.headers.get('oci-filters-applied')).to.equal('artifactType');
        expect(((await filtered.json()) as { manifests: unknown[] }).manifests).to.eql([]);
        const set = await writeImageSet([`${served.address}/ns/app/keyed:1`]);
        try {
          const again = await createBundle({
            manifests: [set.file],
            output: join(set.dir, 'again.tar.xz'),
            cacheDir: join(set.dir, 'cache'),
            insecureRegistries: [served.address],
            env: {},
          });
          const b = await openBundleSource(again.output);
          const records = b.metadata?.images ?? [];
          await b.close();
          const sig = records.find(
            (r) => r.ref === `${served.address}/ns/app/keyed@${made.keyed!}`,
          );
          expect(sig?.referrer).to.include({
            kind: 'signature',
            via: 'subject',
            subject: keyed.manifestDigest,
          });
        } finally {
          await set.cleanup();
        }
      } finally {
        await served.close();
      }
    });

    it('bundle verify with the key alone: the log is said to be unchecked, the certificate signature unverified (a failure under --require-signed); another key fails', async () => {
      requireBuiltCli();
      const run = await runCli(['bundle', 'verify', bundle, '--key', files['key.pub']!, '--json']);
      expect(run.code, why(run)).to.equal(0);
      const checks = (JSON.parse(run.stdout) as { signatures: Array<Record<string, unknown>> })
        .signatures;
      const of = (repo: string) => checks.find((c) => String(c.image).endsWith(`${repo}:1`));
      expect(of('app/keyed')).to.deep.include({
        status: 'signed',
        transparencyLog: 'unchecked',
        problems: ['its transparency-log entry was not checked: no trusted root was given'],
      });
      expect(of('app/certified')).to.deep.include({
        status: 'unverified',
        problems: ['signed with a certificate, which needs a trusted root to check offline'],
      });
      const strict = await runCli([
        'bundle',
        'verify',
        bundle,
        '--key',
        files['key.pub']!,
        '--require-signed',
        '--json',
      ]);
      expect(errorOf(strict).code).to.equal('E_UNSIGNED');
      expect(errorOf(strict).message).to.contain('app/certified:1');
      const other = await runCli([
        'bundle',
        'verify',
        bundle,
        '--key',
        files['other.pub']!,
        '--json',
      ]);
      expect(other.code, why(other)).to.equal(7);
      expect(errorOf(other).code).to.equal('E_SIGNATURE_INVALID');
      expect(errorOf(other).message).to.contain('app/keyed:1');
    });
  });

  describe("cosign 2's tag-stored signatures with a certificate and a Rekor bundle (the dev.sigstore.cosign/bundle form)", () => {
    let source: RunningRegistry;
    const keyless = makeImage({ seed: 96, layers: 1, layerSize: 800, format: 'oci' });
    const keyedLog = makeImage({ seed: 97, layers: 1, layerSize: 800, format: 'oci' });
    const forged = makeImage({ seed: 98, layers: 1, layerSize: 800, format: 'oci' });
    const bundles: Record<string, string> = {};
    const cleanups: Array<() => Promise<void>> = [];

    before(async () => {
      source = await startRegistry('anonymous');
      await seedImage(source, keyless, 'legacy/keyless:1');
      await seedImage(source, keyedLog, 'legacy/keyed:1');
      await seedImage(source, forged, 'legacy/forged:1');
      const client = clientFor(source);
      const at = (repository: string) => ({ registry: source.host, repository });
      try {
        const signer = certificateKey(certificate);
        const withCert = rekorAnnotations({ log, certificate });
        await cosignSign(
          client,
          at('legacy/keyless'),
          keyless.manifestDigest,
          signer,
          'sig',
          keyless.manifestDigest,
          withCert,
        );
        const withKey = rekorAnnotations({ log, publicKeyPem: key.publicKeyPem });
        await cosignSign(
          client,
          at('legacy/keyed'),
          keyedLog.manifestDigest,
          key,
          'sig',
          keyedLog.manifestDigest,
          withKey,
        );
        const bad = rekorAnnotations({ log, publicKeyPem: key.publicKeyPem, badLogProof: true });
        await cosignSign(
          client,
          at('legacy/forged'),
          forged.manifestDigest,
          key,
          'sig',
          forged.manifestDigest,
          bad,
        );
      } finally {
        await client.close();
      }
      for (const [name, repos] of [
        ['good', ['legacy/keyless:1', 'legacy/keyed:1']],
        ['forged', ['legacy/forged:1']],
      ] as const) {
        const set = await writeImageSet(repos.map((r) => `${source.host}/${r}`));
        cleanups.push(set.cleanup);
        bundles[name] = (
          await createBundle({
            manifests: [set.file],
            output: join(set.dir, `${name}.tar.xz`),
            cacheDir: join(set.dir, 'cache'),
            insecureRegistries: [source.host],
            env: {},
          })
        ).output;
      }
    });
    after(async () => {
      await source.stop();
      for (const c of cleanups) await c();
    });

    const verify = async (name: string, t: Parameters<typeof trust>[0]) =>
      verifySignatures(bundles[name]!, await trust(t));

    it('the keyless one verifies against the trusted root and identity, its Rekor entry too; the keyed one by its key and its entry', async () => {
      const checks = await verify('good', {
        keys: [files['key.pub']!],
        root: files['root.json']!,
        identity: [identity, issuer],
      });
      const of = (repo: string) => checks.find((c) => c.image.endsWith(`${repo}:1`));
      expect(of('legacy/keyless')).to.deep.include({
        status: 'signed',
        form: 'cosign-tag',
        identity: { subject: identity, issuer },
        reference: `${source.host}/legacy/keyless`,
        transparencyLog: 'verified',
      });
      expect(of('legacy/keyed')).to.deep.include({
        status: 'signed',
        key: files['key.pub'],
        transparencyLog: 'verified',
      });
    });

    it('without a trusted root: the keyless one is unverified, the keyed one signed with its log entry said to be unchecked', async () => {
      const checks = await verify('good', { keys: [files['key.pub']!] });
      const of = (repo: string) => checks.find((c) => c.image.endsWith(`${repo}:1`));
      expect(of('legacy/keyless')).to.include({ status: 'unverified' });
      expect(of('legacy/keyed')).to.deep.include({
        status: 'signed',
        transparencyLog: 'unchecked',
      });
    });

    it('a Rekor entry whose signed entry timestamp is forged fails under the trusted root', async () => {
      const [check] = await verify('forged', {
        keys: [files['key.pub']!],
        root: files['root.json']!,
      });
      expect(check).to.include({ status: 'invalid' });
      expect(check?.problems.join(' ')).to.contain('inclusion promise could not be verified');
    });
  });
});
