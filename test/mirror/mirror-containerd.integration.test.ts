import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkContainerdConfig } from '../../src/mirror/config-check.js';
import { mirrorConfig } from '../../src/mirror/mirror-config.js';
import { renderConfigToml } from '../../src/mirror/render-config-toml.js';
import { mirrorTarget } from '../../src/mirror/mirror-target.js';
import { parseToml, tomlTableAt } from '../../src/mirror/toml-parse.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { requireTool } from '../rig/tools.js';
import {
  imageDigests,
  rigContainerdConfig,
  startContainerd,
  type RunningContainerd,
} from './containerd-rig.js';

/**
 * containerd 1.6 itself pulls through what `mirror config` writes: `ctr
 * images pull --hosts-dir` reads hosts.toml exactly as the CRI plugin does
 * with config_path (protocols.md §3d).
 */
describe('mirror: containerd 1.6 pulls through generated hosts.toml', function () {
  this.timeout(180_000);
  let containerd: RunningContainerd;
  let work: TrackedDir;

  before(async () => {
    containerd = await startContainerd();
    work = await makeTempDir('bmpack-mirror-ctr-');
  });
  after(async () => {
    await containerd.stop();
    await work.stop();
  });

  /** Writes hosts.toml folders for `hosts` and pulls `ref` through them; the digest containerd recorded. */
  async function pullThrough(
    ref: string,
    dir: string,
    extra: readonly string[] = [],
  ): Promise<string | undefined> {
    await containerd.ctr(
      ['images', 'pull', '--hosts-dir', dir, '--snapshotter', 'native', ...extra, ref],
      {
        timeoutMs: 120_000,
      },
    );
    return (await imageDigests(containerd)).get(ref);
  }

  it('pulls docker.io/library/nginx:1.0 from a plain-HTTP mirror under its namespace, and keeps the upstream as server', async () => {
    const reg = await startRegistry('anonymous');
    try {
      const image = makeImage({ seed: 701, layers: 2, layerSize: 3000, format: 'docker' });
      await seedImage(reg, image, 'ns/library/nginx:1.0');
      const dir = join(work.path, 'plain');
      const result = await mirrorConfig({
        privateRegistry: `${reg.host}/ns`,
        hosts: ['docker.io'],
        plainHttp: true,
        output: dir,
        installDir: dir,
      });
      expect(result.hosts).to.deep.equal(['docker.io', 'gcr.io']);
      const hosts = parseToml(await readFile(join(dir, 'docker.io', 'hosts.toml'), 'utf8'));
      expect(hosts['server']).to.equal('https://registry-1.docker.io');
      expect(tomlTableAt(hosts, ['host', `http://${reg.host}/v2/ns`])).to.deep.equal({
        capabilities: ['pull', 'resolve'],
        override_path: true,
      });
      expect(await pullThrough('docker.io/library/nginx:1.0', dir)).to.equal(image.manifestDigest);
      await containerd.ctr(['images', 'check']);
    } finally {
      await reg.stop();
    }
  });

  it('pulls from a TLS mirror with htpasswd auth, trusting the CA that mirror config copied beside hosts.toml', async () => {
    const reg = await startRegistry('htpasswd');
    try {
      const image = makeImage({ seed: 702, layers: 1, layerSize: 2000, format: 'oci' });
      await seedImage(reg, image, 'team/mirror/kubernetes-e2e-test-images/nautilus:1.0');
      const dir = join(work.path, 'tls');
      await mirrorConfig({
        privateRegistry: `${reg.host}/team/mirror`,
        hosts: ['gcr.io'],
        caCert: reg.caFile!,
        output: dir,
        installDir: dir,
      });
      const hosts = parseToml(await readFile(join(dir, 'gcr.io', 'hosts.toml'), 'utf8'));
      expect(tomlTableAt(hosts, ['host', `https://${reg.host}/v2/team/mirror`])?.['ca']).to.equal(
        join(dir, 'gcr.io', 'ca.crt'),
      );
      expect(await readFile(join(dir, 'gcr.io', 'ca.crt'), 'utf8')).to.equal(
        await readFile(reg.caFile!, 'utf8'),
      );
      const ref = 'gcr.io/kubernetes-e2e-test-images/nautilus:1.0';
      expect(await pullThrough(ref, dir, ['--user', `${reg.username!}:${reg.password!}`])).to.equal(
        image.manifestDigest,
      );
    } finally {
      await reg.stop();
    }
  });

  it('without a namespace needs no override_path; an image the mirror lacks falls back to the upstream server', async () => {
    // Two local registries stand in for mirror and upstream: no internet needed.
    const mirror = await startRegistry('anonymous');
    const upstream = await startRegistry('anonymous', { tls: true });
    try {
      const inMirror = makeImage({ seed: 703, layers: 1, layerSize: 1000, format: 'oci' });
      const onlyUpstream = makeImage({ seed: 704, layers: 1, layerSize: 1000, format: 'oci' });
      const upstreamCopy = makeImage({ seed: 705, layers: 1, layerSize: 1000, format: 'oci' });
      await seedImage(mirror, inMirror, 'org/app:1');
      await seedImage(upstream, upstreamCopy, 'org/app:1');
      await seedImage(upstream, onlyUpstream, 'org/app:2');
      const dir = join(work.path, 'fallback');
      await mirrorConfig({
        privateRegistry: mirror.host,
        hosts: [upstream.host],
        plainHttp: true,
        output: dir,
        installDir: dir,
      });
      const hosts = parseToml(await readFile(join(dir, upstream.host, 'hosts.toml'), 'utf8'));
      expect(hosts).to.deep.equal({
        server: `https://${upstream.host}`,
        host: { [`http://${mirror.host}`]: { capabilities: ['pull', 'resolve'] } },
      });
      // --tlscacert: ctr's default TLS, which the server entry (no ca of its own) uses.
      const ca = ['--tlscacert', upstream.caFile!];
      expect(await pullThrough(`${upstream.host}/org/app:1`, dir, ca)).to.equal(
        inMirror.manifestDigest,
      );
      expect(await pullThrough(`${upstream.host}/org/app:2`, dir, ca)).to.equal(
        onlyUpstream.manifestDigest,
      );
    } finally {
      await upstream.stop();
      await mirror.stop();
    }
  });

  it('without override_path containerd asks /v2/NS/v2/… and misses the image; mirror check --config says so', async () => {
    const mirror = await startRegistry('anonymous');
    const upstream = await startRegistry('anonymous', { tls: true });
    try {
      const image = makeImage({ seed: 706, layers: 1, layerSize: 1000, format: 'oci' });
      await seedImage(mirror, image, 'ns/org/app:3');
      const dir = join(work.path, 'no-override');
      const privateRegistry = `${mirror.host}/ns`;
      await mirrorConfig({
        privateRegistry,
        hosts: [upstream.host],
        plainHttp: true,
        output: dir,
        installDir: dir,
      });
      const file = join(dir, upstream.host, 'hosts.toml');
      const generated = await readFile(file, 'utf8');
      await writeFile(file, generated.replace(/^\s*override_path = true\n/m, ''));
      const ref = `${upstream.host}/org/app:3`;
      // --http-dump logs each request: the mirror is asked the doubled path, then upstream (the fallback).
      const failure = await pullThrough(ref, dir, [
        '--tlscacert',
        upstream.caFile!,
        '--http-dump',
      ]).then(
        () => 'pulled',
        (err: unknown) => String(err),
      );
      expect(failure).to.contain('HEAD /v2/ns/v2/org/app/manifests/3');
      expect(failure).to.contain(
        `trying next host - response was http.StatusNotFound" host="${mirror.host}"`,
      );
      expect(failure).to.contain(`${ref}: not found`);
      const check = await checkContainerdConfig(
        dir,
        [upstream.host],
        mirrorTarget(privateRegistry, true),
      );
      expect(check.ok).to.equal(false);
      expect(check.hosts[0]?.problems.join()).to.match(/override_path = true is missing/);
      await writeFile(file, generated);
      expect(
        (await checkContainerdConfig(dir, [upstream.host], mirrorTarget(privateRegistry, true))).ok,
      ).to.equal(true);
      expect(await pullThrough(ref, dir, ['--tlscacert', upstream.caFile!])).to.equal(
        image.manifestDigest,
      );
    } finally {
      await upstream.stop();
      await mirror.stop();
    }
  });

  it('decodes the config-toml form into its CRI registry config, and refuses it next to config_path', async () => {
    const snippet = renderConfigToml({
      hosts: ['docker.io', 'gcr.io'],
      target: mirrorTarget('10.0.0.5:5000/ns'),
      caFile: '/etc/containerd/certs.d/10.0.0.5:5000/ca.crt',
    });
    const dir = join(work.path, 'dump');
    const configFile = join(dir, 'config.toml');
    await mkdir(dir);
    await writeFile(configFile, rigContainerdConfig(dir, { cri: true, extraConfig: snippet }));
    const containerdBin = requireTool('containerd', 'containerd');
    const dumped = parseToml(
      (await runTool(containerdBin, ['--config', configFile, 'config', 'dump'])).toString('utf8'),
      'config dump',
    );
    const registry = tomlTableAt(dumped, ['plugins', 'io.containerd.grpc.v1.cri', 'registry'])!;
    expect(tomlTableAt(registry, ['mirrors', 'gcr.io'])).to.deep.equal({
      endpoint: ['https://10.0.0.5:5000/v2/ns'],
    });
    expect(tomlTableAt(registry, ['configs', '10.0.0.5:5000', 'tls'])?.['ca_file']).to.equal(
      '/etc/containerd/certs.d/10.0.0.5:5000/ca.crt',
    );

    const both = await startContainerd({
      cri: true,
      extraConfig: `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n${snippet}`,
    });
    try {
      const plugins = await both.ctr(['plugins', 'ls']);
      expect(plugins).to.match(/io\.containerd\.grpc\.v1\s+cri\s+\S+\s+error/);
      expect(both.log()).to.contain('`mirrors` cannot be set when `config_path` is provided');
    } finally {
      await both.stop();
    }
  });
});
