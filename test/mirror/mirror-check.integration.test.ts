import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { expect } from 'chai';
import MirrorCheck from '../../commands/mirror/check.js';
import MirrorConfig from '../../commands/mirror/config.js';
import {
  checkMirror,
  MirrorCheckError,
  type MirrorCheckReport,
} from '../../src/mirror/check-mirror.js';
import { mirrorConfig } from '../../src/mirror/mirror-config.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import {
  deleteBlob,
  deleteManifest,
  mirrorPath,
  seedMirror,
  writeBundle,
  type NamedItem,
} from './mirror-kit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const nginx = makeImage({ seed: 801, layers: 1, layerSize: 1500, format: 'docker' });
const appAmd = makeImage({ seed: 802, layers: 1, layerSize: 1000, format: 'oci' });
const appArm = makeImage({
  seed: 803,
  layers: 1,
  layerSize: 1000,
  format: 'oci',
  platform: { os: 'linux', architecture: 'arm64' },
});
const tool = makeImage({ seed: 804, layers: 1, layerSize: 800, format: 'oci' });
const images: NamedItem[] = [
  { ref: 'docker.io/library/nginx:1.0', item: nginx },
  { ref: 'gcr.io/team/app:2', item: makeIndex([appAmd, appArm], 'oci') },
  { ref: `quay.io/org/tool@${tool.manifestDigest}`, item: tool },
];

describe('mirror check: a bundle against a real mirror', function () {
  this.timeout(180_000);
  let work: TrackedDir;
  let bundle: string;
  let tls: RunningRegistry;

  before(async () => {
    work = await makeTempDir('bmpack-mirror-check-');
    bundle = await writeBundle(work.path, 'release', images);
    tls = await startRegistry('htpasswd');
    await seedMirror(tls, 'ns', images);
  });
  after(async () => {
    await tls.stop();
    await work.stop();
  });

  const tlsOptions = () => ({
    source: bundle,
    privateRegistry: `${tls.host}/ns`,
    host: { caFile: tls.caFile! },
    credentials: staticCredentials({
      [tls.host]: { username: tls.username!, password: tls.password! },
    }),
  });
  const cliAuth = (): string[] => [
    '--cacert',
    tls.caFile!,
    '--username',
    tls.username!,
    '--password',
    tls.password!,
  ];

  it('finds every image of a complete mirror where containerd asks for it (TLS + auth)', async () => {
    const report = await checkMirror(tlsOptions());
    expect(report.ok).to.equal(true);
    expect(report.mirror).to.equal(`https://${tls.host}/v2/ns`);
    expect(report.images).to.deep.equal([
      {
        ref: 'docker.io/library/nginx:1.0',
        target: `${tls.host}/ns/library/nginx:1.0`,
        status: 'present',
        expected: nginx.manifestDigest,
        actual: nginx.manifestDigest,
      },
      {
        ref: 'gcr.io/team/app:2',
        target: `${tls.host}/ns/team/app:2`,
        status: 'present',
        expected: images[1]!.item.manifestDigest,
        actual: images[1]!.item.manifestDigest,
      },
      {
        ref: `quay.io/org/tool@${tool.manifestDigest}`,
        target: `${tls.host}/ns/org/tool@${tool.manifestDigest}`,
        status: 'present',
        expected: tool.manifestDigest,
        actual: tool.manifestDigest,
      },
    ]);
  });

  it('prints {images, ok} with --json and exits 0 from the command', async () => {
    const { stdout, stderr, error } = await captureOutput(() =>
      MirrorCheck.run(
        ['--source', bundle, '--private-registry', `${tls.host}/ns`, ...cliAuth(), '--json'],
        root,
      ),
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as MirrorCheckReport;
    expect(out.ok).to.equal(true);
    expect(out.images.map((i) => i.status)).to.deep.equal(['present', 'present', 'present']);
    expect(stderr).to.contain('--password-stdin');
    expect(stdout + stderr).to.not.contain(tls.password!);
  });

  it('names an image whose manifest was deleted from the mirror, and exits 5 with the report in --json', async () => {
    const reg = await startRegistry('anonymous');
    try {
      await seedMirror(reg, 'ns', images);
      await deleteManifest(
        reg,
        mirrorPath('docker.io/library/nginx:1.0', 'ns').repository,
        nginx.manifestDigest,
      );
      const report = await checkMirror({
        source: bundle,
        privateRegistry: `${reg.host}/ns`,
        host: { plainHttp: true },
      });
      expect(report.ok).to.equal(false);
      expect(report.images[0]).to.deep.include({
        status: 'missing',
        actual: null,
        expected: nginx.manifestDigest,
      });
      expect(report.images.slice(1).map((i) => i.status)).to.deep.equal(['present', 'present']);

      const args = [
        '--source',
        bundle,
        '--private-registry',
        `${reg.host}/ns`,
        '--plain-http',
        '--need-credential=false',
      ];
      const json = await captureOutput(() => MirrorCheck.run([...args, '--json'], root));
      expect(json.error?.oclif?.exit).to.equal(5);
      const out = JSON.parse(json.stdout) as MirrorCheckReport & {
        error: { code: string; message: string };
      };
      expect(out.ok).to.equal(false);
      expect(out.images[0]).to.deep.equal({
        ref: 'docker.io/library/nginx:1.0',
        target: `${reg.host}/ns/library/nginx:1.0`,
        status: 'missing',
        expected: nginx.manifestDigest,
        actual: null,
      });
      expect(out.error.code).to.equal('E_NOT_FOUND');
      expect(out.error.message).to.contain(
        'does not serve 1 of 3 images: docker.io/library/nginx:1.0 (missing',
      );

      const human = await captureOutput(() => MirrorCheck.run(args, root));
      expect(human.error?.oclif?.exit).to.equal(5);
      expect(human.stdout).to.match(/missing\s+docker\.io\/library\/nginx:1\.0 -> /);
      expect(human.stderr).to.contain('Error [E_NOT_FOUND]');
      expect(human.stderr).to.contain('docker.io/library/nginx:1.0');
    } finally {
      await reg.stop();
    }
  });

  it('walks each image in the mirror: a missing platform manifest or layer makes it incomplete, naming the digest', async () => {
    const reg = await startRegistry('anonymous');
    try {
      await seedMirror(reg, 'ns', images);
      const app = mirrorPath('gcr.io/team/app:2', 'ns').repository;
      await deleteManifest(reg, app, appArm.manifestDigest);
      const nginxRepo = mirrorPath('docker.io/library/nginx:1.0', 'ns').repository;
      const layer = nginx.layers[0]!.digest;
      await deleteBlob(reg, nginxRepo, layer);
      const report = await checkMirror({
        source: bundle,
        privateRegistry: `${reg.host}/ns`,
        host: { plainHttp: true },
      });
      expect(report.ok).to.equal(false);
      expect(report.images.map((i) => [i.status, i.missing])).to.deep.equal([
        ['incomplete', [layer]],
        ['incomplete', [appArm.manifestDigest]],
        ['present', undefined],
      ]);
      const err = new MirrorCheckError(report, `${reg.host}/ns`, bundle);
      expect(err.message).to.contain(
        `gcr.io/team/app:2 (incomplete at ${reg.host}/ns/team/app:2: 1 of its manifests and blobs are missing, first ${appArm.manifestDigest})`,
      );
    } finally {
      await reg.stop();
    }
  });

  it('reports digest-differs when the mirror serves other content under the tag', async () => {
    const reg = await startRegistry('anonymous');
    try {
      await seedMirror(reg, '', images);
      await seedImage(
        reg,
        makeImage({ seed: 899, layers: 1, layerSize: 500, format: 'oci' }),
        'team/app:2',
      );
      const err = await checkMirror({
        source: bundle,
        privateRegistry: reg.host,
        host: { plainHttp: true },
      }).then((r) => new MirrorCheckError(r, reg.host, bundle));
      expect(err.code).to.equal('E_NOT_FOUND');
      expect(err.report.images[1]).to.deep.include({
        ref: 'gcr.io/team/app:2',
        target: `${reg.host}/team/app:2`,
        status: 'digest-differs',
      });
      expect(err.message).to.contain('gcr.io/team/app:2 (digest differs');
    } finally {
      await reg.stop();
    }
  });

  it('checks a generated certs.d as good and a hand-broken one as wrong, with the registry check alongside', async () => {
    const good = join(work.path, 'certs-good');
    const result = await mirrorConfig({
      privateRegistry: `${tls.host}/ns`,
      source: bundle,
      caCert: tls.caFile!,
      output: good,
      installDir: good,
    });
    expect(result.hosts).to.deep.equal(['docker.io', 'gcr.io', 'quay.io']);
    const report = await checkMirror({ ...tlsOptions(), config: good });
    expect(report.ok).to.equal(true);
    expect(report.config?.hosts.map((h) => [h.host, h.status])).to.deep.equal([
      ['docker.io', 'ok'],
      ['gcr.io', 'ok'],
      ['quay.io', 'ok'],
    ]);

    const broken = join(work.path, 'certs-broken');
    await mirrorConfig({
      privateRegistry: `${tls.host}/ns`,
      source: bundle,
      caCert: tls.caFile!,
      output: broken,
      installDir: broken,
    });
    await rm(join(broken, 'quay.io'), { recursive: true });
    const gcr = join(broken, 'gcr.io', 'hosts.toml');
    await writeFile(
      gcr,
      (await readFile(gcr, 'utf8'))
        .replace(`/v2/ns"]`, `"]`)
        .replace(/^\s*override_path = true\n/m, ''),
    );
    await rm(join(broken, 'docker.io', 'ca.crt'));
    const args = [
      '--source',
      bundle,
      '--private-registry',
      `${tls.host}/ns`,
      '--config',
      broken,
      '--config-only',
      '--json',
    ];
    const { stdout, error } = await captureOutput(() => MirrorCheck.run(args, root));
    expect(error?.oclif?.exit).to.equal(3);
    const out = JSON.parse(stdout) as MirrorCheckReport & { error: { code: string } };
    expect(out.images).to.deep.equal([]);
    expect(out.error.code).to.equal('E_CONFIG_INVALID');
    const byHost = Object.fromEntries(out.config!.hosts.map((h) => [h.host, h]));
    expect(byHost['docker.io']?.status).to.equal('wrong');
    expect(byHost['docker.io']?.problems.join()).to.match(
      /ca .*docker\.io\/ca\.crt does not exist/,
    );
    expect(byHost['gcr.io']?.status).to.equal('wrong');
    expect(byHost['gcr.io']?.problems.join()).to.match(/namespace path \/v2\/ns is missing/);
    expect(byHost['quay.io']?.status).to.equal('not-mirrored');
  });

  it('checks a config.toml: CRI mirrors for the bundle hosts, and config_path pointing at a certs.d', async () => {
    const dir = join(work.path, 'etc');
    await mkdir(dir, { recursive: true });
    const cri = join(dir, 'config.toml');
    const { stderr } = await captureOutput(() =>
      MirrorConfig.run(
        [
          '--private-registry',
          `${tls.host}/ns`,
          '--source',
          bundle,
          '--format',
          'config-toml',
          '--output',
          cri,
        ],
        root,
      ),
    );
    expect(stderr).to.contain('cannot be combined with config_path');
    const criCheck = await checkMirror({ ...tlsOptions(), config: cri, configOnly: true });
    expect(criCheck.config?.kind).to.equal('config-toml');
    expect(criCheck.config?.hosts.map((h) => h.status)).to.deep.equal(['ok', 'ok', 'ok']);

    const certs = join(dir, 'certs.d');
    await mirrorConfig({
      privateRegistry: `${tls.host}/ns`,
      source: bundle,
      output: certs,
      installDir: certs,
    });
    const withPath = join(dir, 'with-path.toml');
    await writeFile(
      withPath,
      `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${certs}"\n`,
    );
    const viaPath = await checkMirror({ ...tlsOptions(), config: withPath, configOnly: true });
    expect(viaPath.ok).to.equal(true);
    expect(viaPath.config?.hosts.every((h) => h.file?.startsWith(certs) === true)).to.equal(true);

    const both = join(dir, 'both.toml');
    await writeFile(both, `${await readFile(withPath, 'utf8')}${await readFile(cri, 'utf8')}`);
    const bad = await checkMirror({ ...tlsOptions(), config: both, configOnly: true });
    expect(bad.ok).to.equal(false);
    expect(bad.config?.problems.join()).to.contain(
      '`mirrors` cannot be set when `config_path` is provided',
    );
  });
});
