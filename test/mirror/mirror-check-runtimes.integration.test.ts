import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { expect } from 'chai';
import MirrorCheck from '../../commands/mirror/check.js';
import { checkMirror, type MirrorCheckReport } from '../../src/mirror/check-mirror.js';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import type { MirrorRuntime } from '../../src/mirror/runtime-tree.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { makeImage } from '../rig/image-generator.js';
import { rejection } from '../rig/rejection.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedMirror, writeBundle, type NamedItem } from './mirror-kit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const nginx = makeImage({ seed: 1811, layers: 1, layerSize: 900, format: 'docker' });
const app = makeImage({ seed: 1812, layers: 1, layerSize: 700, format: 'oci' });
const images: NamedItem[] = [
  { ref: 'docker.io/library/nginx:1.0', item: nginx },
  { ref: 'quay.io/org/app:2', item: app },
];

/**
 * `mirror check --runtime R --config TREE` reads each runtime's files the
 * way that runtime does, says per image which URL a node asks, its fallback
 * and TLS, and proves at the real mirror that the image is served there.
 */
describe('mirror check: every runtime tree against a real mirror', function () {
  this.timeout(120_000);
  let work: TrackedDir;
  let bundle: string;
  let reg: RunningRegistry;

  before(async () => {
    work = await makeTempDir('bmpack-mirror-check-rt-');
    bundle = await writeBundle(work.path, 'release', images);
    reg = await startRegistry('htpasswd');
    await seedMirror(reg, 'ns', images);
  });
  after(async () => {
    await reg.stop();
    await work.stop();
  });

  const check = (
    runtime: MirrorRuntime,
    config: string,
    configOnly = false,
    privateRegistry = `${reg.host}/ns`,
  ) =>
    checkMirror({
      source: bundle,
      privateRegistry,
      host: { caFile: reg.caFile! },
      credentials: staticCredentials({
        [reg.host]: { username: reg.username!, password: reg.password! },
      }),
      config,
      runtime,
      ...(configOnly ? { configOnly } : {}),
    });

  async function tree(runtime: MirrorRuntime, privateRegistry = `${reg.host}/ns`): Promise<string> {
    const out = join(work.path, `${runtime}-${privateRegistry.includes('/') ? 'ns' : 'root'}`);
    await mirrorRuntimeConfig({
      privateRegistry,
      runtime,
      source: bundle,
      caCert: reg.caFile!,
      output: out,
      nodeRoot: out,
    });
    return out;
  }

  for (const runtime of ['containerd', 'containerd2', 'crio', 'podman', 'k3s', 'rke2'] as const) {
    it(`${runtime}: the generated tree sends every image to where push put it, and the mirror serves it`, async () => {
      const report = await check(runtime, await tree(runtime));
      expect(report.ok, JSON.stringify(report.config, null, 1)).to.equal(true);
      expect(report.images.map((i) => i.status)).to.deep.equal(['present', 'present']);
      expect(report.config!.images.map((i) => [i.ref, i.status, i.asks])).to.deep.equal([
        [
          'docker.io/library/nginx:1.0',
          'ok',
          `https://${reg.host}/v2/ns/library/nginx/manifests/1.0`,
        ],
        ['quay.io/org/app:2', 'ok', `https://${reg.host}/v2/ns/org/app/manifests/2`],
      ]);
      const nginxPull = report.config!.images[0]!;
      expect(nginxPull.tls).to.match(/^TLS, CA \//);
      expect(nginxPull.fallback).to.match(/docker\.io/);
    });
  }

  it('docker: a mirror without a namespace serves docker.io images; other registries stay upstream', async () => {
    await seedMirror(reg, '', images);
    const report = await check('docker', await tree('docker', reg.host), false, reg.host);
    expect(report.images.map((i) => i.status)).to.deep.equal(['present', 'present']);
    expect(report.config!.images.map((i) => [i.ref, i.status, i.asks])).to.deep.equal([
      ['docker.io/library/nginx:1.0', 'ok', `https://${reg.host}/v2/library/nginx/manifests/1.0`],
      ['quay.io/org/app:2', 'not-mirrored', undefined],
    ]);
    expect(report.config!.images[0]!.tls).to.equal(
      `TLS, CA /etc/docker/certs.d/${reg.host}/ca.crt`,
    );
    expect(report.ok).to.equal(false);
  });

  it('k3s without the rewrite, registries.conf without the namespace: the node would ask the wrong path', async () => {
    const k3s = await tree('k3s');
    const yamlFile = join(k3s, 'etc/rancher/k3s/registries.yaml');
    const yaml = await readFile(yamlFile, 'utf8');
    await writeFile(yamlFile, yaml.replace(/^\s+rewrite:\n.*\n/gm, ''));
    const k = await check('k3s', k3s, true);
    expect(k.ok).to.equal(false);
    expect(k.config!.images[0]!.problems.join()).to.contain(
      `asks https://${reg.host}/v2/library/nginx/manifests/1.0, but push put it at https://${reg.host}/v2/ns/library/nginx/manifests/1.0`,
    );
    const crio = await tree('crio');
    const conf = join(crio, 'etc/containers/registries.conf.d/50-bmpack-mirror.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')).replaceAll(`${reg.host}/ns`, reg.host));
    const c = await check('crio', crio, true);
    expect(c.config!.images.map((i) => i.status)).to.deep.equal(['wrong', 'wrong']);
  });

  it('a containerd 2.x fragment on containerd 1.x, and a namespaced mirror in daemon.json, are wrong; bmctl is not a node file', async () => {
    const c2 = await tree('containerd2');
    const onV1 = await check('containerd', c2, true);
    expect(onV1.config!.problems.join()).to.contain(
      'containerd 1.x does not read config version 3',
    );
    const docker = join(work.path, 'daemon.json');
    await writeFile(docker, JSON.stringify({ 'registry-mirrors': [`https://${reg.host}`] }));
    const d = await check('docker', docker, true);
    const byRef = Object.fromEntries(d.config!.images.map((i) => [i.ref, i]));
    expect(byRef['docker.io/library/nginx:1.0']!.problems.join()).to.contain(
      'Docker cannot use a namespaced mirror',
    );
    expect(byRef['quay.io/org/app:2']!.status).to.equal('not-mirrored');
    expect((await rejection(check('bmctl', docker, true))).reason).to.equal('mirror-check-bmctl');
  });

  it('prints what a node does per image, and --json carries it', async () => {
    const args = [
      '--source',
      bundle,
      '--private-registry',
      `${reg.host}/ns`,
      '--runtime',
      'rke2',
      '--config',
      await tree('rke2'),
      '--config-only',
    ];
    const human = await captureOutput(() => MirrorCheck.run(args, root));
    expect(human.error).to.equal(undefined);
    expect(human.stdout).to.contain(`asks https://${reg.host}/v2/ns/org/app/manifests/2`);
    const { stdout } = await captureOutput(() => MirrorCheck.run([...args, '--json'], root));
    const out = JSON.parse(stdout) as MirrorCheckReport;
    expect(out.config!.kind).to.equal('registries-yaml');
    expect(out.config!.images).to.have.length(2);
  });
});
