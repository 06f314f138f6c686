import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { list } from 'tar';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import { mirrorTarget } from '../../src/mirror/mirror-target.js';
import { renderHostsToml } from '../../src/mirror/render-hosts-toml.js';
import { renderRuntimeTree } from '../../src/mirror/runtime-render.js';
import {
  mirrorRuntimes,
  runtimeCapabilities,
  type MirrorRuntime,
  type RuntimeInput,
} from '../../src/mirror/runtime-tree.js';
import { treeTar } from '../../src/mirror/tree-tar.js';
import { parseToml, tomlTableAt } from '../../src/mirror/toml-parse.js';
import { rejection, thrown } from '../rig/rejection.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

function input(over: Partial<RuntimeInput> = {}): RuntimeInput {
  return {
    target: mirrorTarget('10.0.0.5:5000/mirror'),
    hosts: ['docker.io', 'gcr.io', 'quay.io'],
    ca: pem,
    skipVerify: false,
    nodeRoot: '/',
    ...over,
  };
}

function fileOf(runtime: MirrorRuntime, path: string, i = input()): string {
  const f = renderRuntimeTree(runtime, i).files.find((x) => x.path === path);
  if (f === undefined) throw new Error(`${runtime} wrote no ${path}`);
  return f.content.toString();
}

describe('mirror runtimes: what each runtime gets', () => {
  it('containerd 1.x and 2.x: the same hosts.toml and CA per registry, a version 2 or 3 fragment with config_path', () => {
    for (const [runtime, version, table] of [
      ['containerd', 2, 'io.containerd.grpc.v1.cri'],
      ['containerd2', 3, 'io.containerd.cri.v1.images'],
    ] as const) {
      const r = renderRuntimeTree(runtime, input());
      expect(r.files.map((f) => f.path)).to.deep.equal([
        'etc/containerd/certs.d/docker.io/ca.crt',
        'etc/containerd/certs.d/docker.io/hosts.toml',
        'etc/containerd/certs.d/gcr.io/ca.crt',
        'etc/containerd/certs.d/gcr.io/hosts.toml',
        'etc/containerd/certs.d/quay.io/ca.crt',
        'etc/containerd/certs.d/quay.io/hosts.toml',
        'etc/containerd/conf.d/bmpack-mirror.toml',
      ]);
      expect(fileOf(runtime, 'etc/containerd/certs.d/docker.io/hosts.toml')).to.equal(
        renderHostsToml({
          upstream: 'docker.io',
          target: input().target,
          ca: '/etc/containerd/certs.d/docker.io/ca.crt',
        }),
      );
      const fragment = parseToml(fileOf(runtime, 'etc/containerd/conf.d/bmpack-mirror.toml'));
      expect(fragment['version']).to.equal(version);
      expect(tomlTableAt(fragment, ['plugins', table, 'registry'])).to.deep.equal({
        config_path: '/etc/containerd/certs.d',
      });
      expect(r.files.every((f) => f.mode === 0o644 && !f.secret)).to.equal(true);
    }
  });

  it('containerd: credentials, only when given, go to registry.configs."MIRROR".auth in a 0600 fragment', () => {
    const r = renderRuntimeTree(
      'containerd2',
      input({ credential: { username: 'u', password: 'p@ss' } }),
    );
    const frag = r.files.find((f) => f.path.endsWith('bmpack-mirror.toml'))!;
    expect([frag.mode, frag.secret]).to.deep.equal([0o600, true]);
    expect(
      tomlTableAt(parseToml(frag.content.toString()), [
        'plugins',
        'io.containerd.cri.v1.images',
        'registry',
        'configs',
        '10.0.0.5:5000',
        'auth',
      ]),
    ).to.deep.equal({ username: 'u', password: 'p@ss' });
    expect(r.files.filter((f) => f.secret)).to.have.length(1);
  });

  it('CRI-O and podman: a registries.conf v2 drop-in that replaces each prefix by MIRROR/NAMESPACE, the CA under containers/certs.d', () => {
    for (const runtime of ['crio', 'podman'] as const) {
      const r = renderRuntimeTree(runtime, input());
      expect(r.files.map((f) => f.path)).to.deep.equal([
        'etc/containers/registries.conf.d/50-bmpack-mirror.conf',
        'etc/containers/certs.d/10.0.0.5:5000/ca.crt',
      ]);
      const conf = parseToml(r.files[0]!.content.toString());
      expect(conf['registry']).to.deep.equal(
        ['docker.io', 'gcr.io', 'quay.io'].map((h) => ({
          prefix: h,
          location: h,
          mirror: [{ location: '10.0.0.5:5000/mirror' }],
        })),
      );
    }
    const plain = parseToml(
      fileOf(
        'podman',
        'etc/containers/registries.conf.d/50-bmpack-mirror.conf',
        input({ target: mirrorTarget('reg:5000', true), ca: undefined, hosts: ['docker.io'] }),
      ),
    );
    expect(plain['registry']).to.deep.equal([
      {
        prefix: 'docker.io',
        location: 'docker.io',
        mirror: [{ location: 'reg:5000', insecure: true }],
      },
    ]);
  });

  it('CRI-O and podman: credentials become a 0600 auth.json; CRI-O also gets a global_auth_file drop-in', () => {
    const cred = { credential: { username: 'u', password: 'p' } };
    const crio = renderRuntimeTree('crio', input(cred));
    const auth = crio.files.find((f) => f.path === 'etc/containers/bmpack-mirror-auth.json')!;
    expect([auth.mode, auth.secret]).to.deep.equal([0o600, true]);
    expect(JSON.parse(auth.content.toString())).to.deep.equal({
      auths: { '10.0.0.5:5000': { auth: Buffer.from('u:p').toString('base64') } },
    });
    const dropIn = crio.files.find(
      (f) => f.path === 'etc/crio/crio.conf.d/50-bmpack-mirror-auth.conf',
    )!;
    expect(tomlTableAt(parseToml(dropIn.content.toString()), ['crio', 'image'])).to.deep.equal({
      global_auth_file: '/etc/containers/bmpack-mirror-auth.json',
    });
    expect(renderRuntimeTree('podman', input(cred)).files.map((f) => f.path)).to.not.include(
      'etc/crio/crio.conf.d/50-bmpack-mirror-auth.conf',
    );
  });

  it('k3s and RKE2: registries.yaml with the mirror host as endpoint, a rewrite into the namespace, and configs.tls', () => {
    for (const runtime of ['k3s', 'rke2'] as const) {
      const r = renderRuntimeTree(runtime, input({ skipVerify: true }));
      expect(r.files.map((f) => f.path)).to.deep.equal([
        `etc/rancher/${runtime}/registries.yaml`,
        `etc/rancher/${runtime}/bmpack-mirror-ca.crt`,
      ]);
      const doc = parseYaml(r.files[0]!.content.toString()) as Record<string, unknown>;
      expect(doc).to.deep.equal({
        mirrors: Object.fromEntries(
          ['docker.io', 'gcr.io', 'quay.io'].map((h) => [
            h,
            { endpoint: ['https://10.0.0.5:5000'], rewrite: { '^(.*)$': 'mirror/$1' } },
          ]),
        ),
        configs: {
          '10.0.0.5:5000': {
            tls: {
              ca_file: `/etc/rancher/${runtime}/bmpack-mirror-ca.crt`,
              insecure_skip_verify: true,
            },
          },
        },
      });
    }
    const noNs = parseYaml(
      fileOf(
        'k3s',
        'etc/rancher/k3s/registries.yaml',
        input({
          target: mirrorTarget('reg:5000'),
          ca: undefined,
          hosts: ['docker.io'],
          credential: { username: 'u', password: 'p' },
        }),
      ),
    ) as Record<string, unknown>;
    expect(noNs).to.deep.equal({
      mirrors: { 'docker.io': { endpoint: ['https://reg:5000'] } },
      configs: { 'reg:5000': { auth: { username: 'u', password: 'p' } } },
    });
  });

  it('Docker: registry-mirrors and certs.d for a mirror without a namespace; a namespaced mirror is refused', () => {
    const r = renderRuntimeTree('docker', input({ target: mirrorTarget('reg:5000') }));
    expect(
      JSON.parse(
        fileOf('docker', 'etc/docker/daemon.json', input({ target: mirrorTarget('reg:5000') })),
      ),
    ).to.deep.equal({
      'registry-mirrors': ['https://reg:5000'],
    });
    expect(r.files.map((f) => f.path)).to.include('etc/docker/certs.d/reg:5000/ca.crt');
    expect(r.notes.map((n) => n.kind)).to.deep.equal(['docker-hub-only']);
    const plain = renderRuntimeTree(
      'docker',
      input({ target: mirrorTarget('reg:5000', true), ca: undefined }),
    );
    expect(JSON.parse(plain.files[0]!.content.toString())).to.deep.equal({
      'registry-mirrors': ['http://reg:5000'],
      'insecure-registries': ['reg:5000'],
    });
    const err = thrown(() => renderRuntimeTree('docker', input()));
    expect([err.code, err.reason]).to.deep.equal(['E_USAGE', 'mirror-docker-namespace']);
  });

  it('says which runtimes can express a path rewrite (for push path mappings)', () => {
    const can = mirrorRuntimes.filter((r) => runtimeCapabilities[r].canExpressPathRewrite);
    expect(can).to.deep.equal(['crio', 'podman', 'k3s', 'rke2']);
  });

  it('gives byte-identical trees and tars for one input, folders first, modes kept', async () => {
    const files = renderRuntimeTree(
      'crio',
      input({ credential: { username: 'u', password: 'p' } }),
    ).files;
    const a = treeTar(files);
    const b = treeTar(
      renderRuntimeTree('crio', input({ credential: { username: 'u', password: 'p' } })).files,
    );
    expect(a.equals(b)).to.equal(true);
    const entries: { path: string; mode: number; mtime: number }[] = [];
    const dir = await makeTempDir('bmpack-tree-tar-');
    try {
      const file = join(dir.path, 't.tar');
      await writeFile(file, a);
      await list({
        file,
        onReadEntry: (e) => {
          entries.push({ path: e.path, mode: e.mode ?? 0, mtime: e.mtime?.getTime() ?? -1 });
        },
      });
    } finally {
      await dir.stop();
    }
    expect(entries.map((e) => e.path)).to.deep.equal([
      'etc/',
      'etc/containers/',
      'etc/containers/bmpack-mirror-auth.json',
      'etc/containers/certs.d/',
      'etc/containers/certs.d/10.0.0.5:5000/',
      'etc/containers/certs.d/10.0.0.5:5000/ca.crt',
      'etc/containers/registries.conf.d/',
      'etc/containers/registries.conf.d/50-bmpack-mirror.conf',
      'etc/crio/',
      'etc/crio/crio.conf.d/',
      'etc/crio/crio.conf.d/50-bmpack-mirror-auth.conf',
    ]);
    expect(entries.find((e) => e.path.endsWith('auth.json'))!.mode).to.equal(0o600);
    expect(entries.find((e) => e.path.endsWith('.conf'))!.mode).to.equal(0o644);
    expect(entries.every((e) => e.mtime === 0)).to.equal(true);
  });
});

describe('mirror runtimes: writing the tree', () => {
  let work: TrackedDir;
  before(async () => {
    work = await makeTempDir('bmpack-mirror-tree-');
  });
  after(async () => {
    await work.stop();
  });

  it('writes the tree under the output folder, credentials 0600, paths inside the files under the node root', async () => {
    const dockerConfig = join(work.path, 'config.json');
    await writeFile(
      dockerConfig,
      JSON.stringify({
        auths: { 'reg:5000': { auth: Buffer.from('u:sekr1t').toString('base64') } },
      }),
    );
    const ca = join(work.path, 'ca.pem');
    await writeFile(ca, pem);
    const out = join(work.path, 'k3s');
    const r = await mirrorRuntimeConfig({
      privateRegistry: 'reg:5000/ns',
      runtime: 'k3s',
      hosts: ['quay.io'],
      caCert: ca,
      pullCredentialConfig: dockerConfig,
      output: out,
      nodeRoot: out,
    });
    expect(r.tree).to.deep.equal([
      { path: 'etc/rancher/k3s/registries.yaml', mode: 0o600, secret: true },
      { path: 'etc/rancher/k3s/bmpack-mirror-ca.crt', mode: 0o644, secret: false },
    ]);
    const yamlFile = join(out, 'etc/rancher/k3s/registries.yaml');
    expect((await stat(yamlFile)).mode & 0o777).to.equal(0o600);
    const doc = parseYaml(await readFile(yamlFile, 'utf8')) as {
      configs: Record<string, { tls: { ca_file: string }; auth: unknown }>;
    };
    expect(doc.configs['reg:5000']!.auth).to.deep.equal({ username: 'u', password: 'sekr1t' });
    expect(await readFile(doc.configs['reg:5000']!.tls.ca_file)).to.deep.equal(pem);
    expect(JSON.stringify(r)).to.not.include('sekr1t');
    expect(r.hosts).to.deep.equal(['gcr.io', 'quay.io']);
  });

  it('writes a tar when the output ends in .tar, mirrors only docker.io for Docker, and says it keeps no credentials', async () => {
    const file = join(work.path, 'docker.tar');
    const r = await mirrorRuntimeConfig({
      privateRegistry: 'reg:5000',
      runtime: 'docker',
      hosts: ['docker.io', 'quay.io'],
      plainHttp: true,
      pullCredentialConfig: join(work.path, 'never-read.json'),
      output: file,
    });
    expect([r.archive, r.output]).to.deep.equal([true, file]);
    expect(r.tree.map((t) => t.path)).to.deep.equal(['etc/docker/daemon.json']);
    expect(r.warnings.map((w) => w.kind)).to.deep.equal([
      'docker-hub-only',
      'runtime-credentials-unused',
    ]);
    expect((await stat(file)).mode & 0o777).to.equal(0o644);
  });

  it('refuses a push path mapping for the path-keeping runtimes, naming the runtime; the others need the bundle to write it', async () => {
    for (const runtime of mirrorRuntimes) {
      const e = await rejection(
        mirrorRuntimeConfig({
          privateRegistry: 'reg:5000/ns',
          runtime,
          hosts: ['quay.io'],
          paths: { rules: [], maxDepth: 1 },
          output: join(work.path, `paths-${runtime}`),
        }),
      );
      const writes = runtimeCapabilities[runtime].canExpressPathRewrite;
      expect([e.code, e.reason, e.details.runtime]).to.deep.equal([
        'E_USAGE',
        writes ? 'mirror-paths-need-bundle' : 'mirror-paths-not-expressible',
        runtime,
      ]);
      if (!writes) expect(e.message).to.include(`(runtime ${runtime})`);
      expect(writes || e.hint?.includes('crio, podman, k3s and rke2')).to.equal(true);
    }
  });

  it('refuses a relative node root and bmctl settings for other runtimes', async () => {
    const rel = await rejection(
      mirrorRuntimeConfig({
        privateRegistry: 'reg:5000',
        runtime: 'crio',
        nodeRoot: 'x',
        output: join(work.path, 'n'),
      }),
    );
    expect(rel.code).to.equal('E_USAGE');
    const cluster = await rejection(
      mirrorRuntimeConfig({
        privateRegistry: 'reg:5000',
        runtime: 'crio',
        clusterName: 'u1',
        output: join(work.path, 'n'),
      }),
    );
    expect(cluster.reason).to.equal('mirror-cluster-needs-bmctl');
  });
});
