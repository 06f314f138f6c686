import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import MirrorConfig from '../../commands/mirror/config.js';
import type { MirrorConfigOutput, MirrorFormatOutput } from '../../src/cli/mirror-config/render.js';
import { mirrorConfig } from '../../src/mirror/mirror-config.js';
import { parseToml, tomlTableAt } from '../../src/mirror/toml-parse.js';
import { makeImage } from '../rig/image-generator.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { makeCa } from '../rig/tls.js';
import { writeBundle } from './mirror-kit.js';
import { rejection } from '../rig/rejection.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('mirror config: files and command', function () {
  this.timeout(60_000);
  let work: TrackedDir;
  let caFile: string;

  before(async () => {
    work = await makeTempDir('bmpack-mirror-config-');
    caFile = (await makeCa(work.path)).certFile;
  });
  after(async () => {
    await work.stop();
  });

  const run = (args: string[]) =>
    captureOutput<MirrorConfigOutput>(() => MirrorConfig.run(args, root));

  it('writes one hosts.toml and ca.crt per registry of a bundle, CA paths under --install-dir, nothing half-written', async () => {
    const bundle = await writeBundle(work.path, 'hosts', [
      {
        ref: 'docker.io/library/busybox:1',
        item: makeImage({ seed: 901, layers: 1, layerSize: 100, format: 'oci' }),
      },
      {
        ref: 'registry.k8s.io/pause:3.10',
        item: makeImage({ seed: 902, layers: 1, layerSize: 100, format: 'oci' }),
      },
    ]);
    const out = join(work.path, 'certs.d');
    const { stdout, error } = await run([
      '--private-registry',
      '10.0.0.5:5000/mirror',
      '--source',
      bundle,
      '--cacert',
      caFile,
      '--output',
      out,
      '--install-dir',
      '/etc/containerd/certs.d',
    ]);
    expect(error).to.equal(undefined);
    expect((await readdir(out)).sort()).to.deep.equal(['docker.io', 'gcr.io', 'registry.k8s.io']);
    for (const host of ['docker.io', 'gcr.io', 'registry.k8s.io']) {
      expect((await readdir(join(out, host))).sort()).to.deep.equal(['ca.crt', 'hosts.toml']);
      const doc = parseToml(await readFile(join(out, host, 'hosts.toml'), 'utf8'));
      expect(tomlTableAt(doc, ['host', 'https://10.0.0.5:5000/v2/mirror'])).to.deep.equal({
        capabilities: ['pull', 'resolve'],
        ca: `/etc/containerd/certs.d/${host}/ca.crt`,
        override_path: true,
      });
    }
    expect(stdout).to.contain('config_path = "/etc/containerd/certs.d"');
    expect(stdout).to.contain('no restart needed');
    expect(stdout).to.contain(`cp -r ${out}/. /etc/containerd/certs.d/`);
  });

  it('returns the written files with --json', async () => {
    const out = join(work.path, 'json-certs');
    const { stdout, error } = await run([
      '--private-registry',
      'reg:5000',
      '--hosts',
      'quay.io',
      '--plain-http',
      '--output',
      out,
      '--json',
    ]);
    expect(error).to.equal(undefined);
    const result = JSON.parse(stdout) as MirrorFormatOutput;
    expect(result.files).to.deep.equal([
      join(out, 'gcr.io', 'hosts.toml'),
      join(out, 'quay.io', 'hosts.toml'),
    ]);
    expect(result.endpoint).to.equal('http://reg:5000');
  });

  it('prints the bmctl documents, with a user cluster snippet', async () => {
    const { stdout, error } = await run([
      '--private-registry',
      '172.18.0.20:5000/test-namespace',
      '--hosts',
      'somehost.io,otherhost.io',
      '--format',
      'bmctl',
      '--cacert',
      caFile,
      '--cluster-name',
      'user1',
      '--secret-namespace',
      'cluster-admin1',
    ]);
    expect(error).to.equal(undefined);
    const [header, user] = parseAllDocuments(stdout).map(
      (d) => d.toJS() as Record<string, unknown>,
    );
    expect(header).to.deep.equal({
      registryMirrors: [
        {
          endpoint: 'https://172.18.0.20:5000/v2/test-namespace',
          caCertPath: caFile,
          hosts: ['otherhost.io', 'somehost.io'],
        },
      ],
    });
    expect(user).to.deep.equal({
      spec: {
        nodeConfig: {
          registryMirrors: [
            {
              endpoint: 'https://172.18.0.20:5000/v2/test-namespace',
              caCertSecretRef: { name: 'registry-mirror-ca', namespace: 'cluster-admin1' },
              hosts: ['otherhost.io', 'somehost.io'],
            },
          ],
        },
      },
    });
  });

  it('puts Docker-config credentials into a config-toml file of mode 0600, and never on stdout', async () => {
    const dockerConfig = join(work.path, 'docker-config.json');
    await writeFile(
      dockerConfig,
      JSON.stringify({
        auths: { 'reg.local:5000': { auth: Buffer.from('puller:s3cret-pw').toString('base64') } },
      }),
    );
    const base = [
      '--private-registry',
      'reg.local:5000',
      '--hosts',
      'docker.io',
      '--format',
      'config-toml',
      '--pull-credential-config',
      dockerConfig,
    ];
    const refused = await run(base);
    expect(refused.stderr).to.contain('E_USAGE');
    expect(refused.stdout).to.not.contain('s3cret');
    const file = join(work.path, 'containerd-mirror.toml');
    const { error } = await run([...base, '--output', file]);
    expect(error).to.equal(undefined);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    const registry = tomlTableAt(parseToml(await readFile(file, 'utf8')), [
      'plugins',
      'io.containerd.grpc.v1.cri',
      'registry',
    ])!;
    expect(tomlTableAt(registry, ['configs', 'reg.local:5000', 'auth'])).to.deep.equal({
      auth: Buffer.from('puller:s3cret-pw').toString('base64'),
    });
    const missing = await rejection(
      mirrorConfig({
        privateRegistry: 'other:5000',
        hosts: ['docker.io'],
        format: 'config-toml',
        pullCredentialConfig: dockerConfig,
        output: file,
      }),
    );
    expect(missing.code).to.equal('E_NOT_FOUND');
  });

  it('--runtime writes a tar of the tree, credentials inside at 0600, never on stdout; --format and --runtime exclude each other', async () => {
    const dockerConfig = join(work.path, 'docker-config-rt.json');
    await writeFile(
      dockerConfig,
      JSON.stringify({
        auths: { 'reg.local:5000': { auth: Buffer.from('puller:s3cret-rt').toString('base64') } },
      }),
    );
    const file = join(work.path, 'crio.tar');
    const base = ['--private-registry', 'reg.local:5000/ns', '--hosts', 'quay.io'];
    const { stdout, error } = await run([
      ...base,
      '--runtime',
      'crio',
      '--cacert',
      caFile,
      '--pull-credential-config',
      dockerConfig,
      '--output',
      file,
      '--json',
    ]);
    expect(error).to.equal(undefined);
    expect(stdout).to.not.contain('s3cret');
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect((await readFile(file)).toString('latin1')).to.contain(
      Buffer.from('puller:s3cret-rt').toString('base64'),
    );
    const out = JSON.parse(stdout) as Extract<MirrorConfigOutput, { runtime: string }>;
    expect(out.tree.filter((t) => t.secret).map((t) => t.path)).to.deep.equal([
      'etc/containers/bmpack-mirror-auth.json',
    ]);
    expect(out.guide.join('\n')).to.contain(`tar -xpf crio.tar -C /`);
    const both = await run([...base, '--runtime', 'crio', '--format', 'hosts-toml']);
    expect(both.error?.oclif?.exit).to.equal(2);
    expect(both.stderr).to.match(/E_USAGE.*(--format|--runtime)/);
    const docker = await run([...base, '--runtime', 'docker', '--output', join(work.path, 'd')]);
    expect(docker.stderr).to.contain('E_USAGE');
    expect(docker.stderr).to.contain('--private-registry HOST:PORT without /NAMESPACE');
  });

  it('refuses contradictory flags with E_USAGE', async () => {
    const bad: Array<Parameters<typeof mirrorConfig>[0]> = [
      { privateRegistry: 'reg:5000', plainHttp: true, caCert: caFile },
      { privateRegistry: 'reg:5000', installDir: 'relative/certs.d' },
      { privateRegistry: 'reg:5000', clusterName: 'user1' },
      { privateRegistry: 'reg:5000', format: 'bmctl', clusterName: 'User_1' },
      { privateRegistry: 'https://reg:5000' },
      { privateRegistry: 'reg:5000', hosts: ['docker.io'], source: '/x.tar' },
    ];
    for (const o of bad)
      expect((await rejection(mirrorConfig(o))).code, JSON.stringify(o)).to.equal('E_USAGE');
    const notPem = join(work.path, 'not-a-ca.txt');
    await writeFile(notPem, 'hello');
    expect(
      (await rejection(mirrorConfig({ privateRegistry: 'reg:5000', caCert: notPem }))).code,
    ).to.equal('E_CONFIG_INVALID');
  });
});
