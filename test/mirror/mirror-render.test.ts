import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import {
  analyzeCriMirror,
  analyzeHostsToml,
  criRegistryProblems,
  criRegistryTable,
} from '../../src/mirror/config-analysis.js';
import {
  hostsFromFlag,
  hostsFromImageNames,
  mirroredHosts,
} from '../../src/mirror/mirrored-hosts.js';
import {
  hostDirCandidates,
  mirrorTarget,
  normalizeMirroredHost,
  upstreamServer,
} from '../../src/mirror/mirror-target.js';
import { renderBmctl } from '../../src/mirror/render-bmctl.js';
import { renderConfigToml } from '../../src/mirror/render-config-toml.js';
import { renderHostsToml } from '../../src/mirror/render-hosts-toml.js';
import { parseToml, tomlTableAt, type TomlTable } from '../../src/mirror/toml-parse.js';
import { tomlKey, tomlString } from '../../src/mirror/toml-write.js';
import { thrown, thrownCode } from '../rig/rejection.js';

const cri = ['plugins', 'io.containerd.grpc.v1.cri', 'registry'];

describe('mirror: TOML writing and reading', () => {
  it('escapes strings so that they read back exactly', () => {
    const nasty = 'a "quoted" \\ back\tslash\nnew line \u0001 ctl é ☃';
    const doc = parseToml(`k = ${tomlString(nasty)}\n${tomlKey('we.ird key')} = 1\n`);
    expect(doc).to.deep.equal({ k: nasty, 'we.ird key': 1 });
    expect(tomlKey('bare_key-1')).to.equal('bare_key-1');
  });

  it('reads what containerd config files hold: nested and quoted tables, arrays, inline tables, all string kinds', () => {
    const doc = parseToml(
      [
        '# comment',
        'version = 2',
        "root = '/var/lib/containerd' # trailing comment",
        'disabled_plugins = [',
        '  "io.containerd.grpc.v1.cri", # the CRI',
        '  "x",',
        ']',
        '[grpc]',
        '  address = "/run/containerd/containerd.sock"',
        '  max_recv_message_size = 16_777_216',
        '[plugins."io.containerd.grpc.v1.cri".registry]',
        '  config_path = ""',
        '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]',
        '  endpoint = ["https://a:5000/v2/ns", \'http://b\']',
        '[plugins . "io.containerd.grpc.v1.cri" . containerd]',
        '  runtimes = { runc = { runtime_type = "io.containerd.runc.v2" } }',
        '  ratio = 0.02',
        '  neg = -3',
        '  hex = 0xff',
        '  on = true',
        '  when = 1979-05-27T07:32:00Z',
        '  multi = """',
        'line one \\',
        '   still one',
        'two"""',
        "  lit = '''",
        "raw \\n'''",
        '[[arr]]',
        '  n = 1',
        '[[arr]]',
        '  n = 2',
        'dotted.key = "v"',
      ].join('\n'),
      'config.toml',
    );
    expect(doc['version']).to.equal(2);
    expect(doc['root']).to.equal('/var/lib/containerd');
    expect(doc['disabled_plugins']).to.deep.equal(['io.containerd.grpc.v1.cri', 'x']);
    expect(tomlTableAt(doc, ['grpc'])?.['max_recv_message_size']).to.equal(16777216);
    expect(tomlTableAt(doc, [...cri, 'mirrors', 'docker.io'])?.['endpoint']).to.deep.equal([
      'https://a:5000/v2/ns',
      'http://b',
    ]);
    const c = tomlTableAt(doc, ['plugins', 'io.containerd.grpc.v1.cri', 'containerd'])!;
    expect(c['runtimes']).to.deep.equal({ runc: { runtime_type: 'io.containerd.runc.v2' } });
    expect([c['ratio'], c['neg'], c['hex'], c['on'], c['when']]).to.deep.equal([
      0.02,
      -3,
      255,
      true,
      '1979-05-27T07:32:00.000Z',
    ]);
    expect(c['multi']).to.equal('line one still one\ntwo');
    expect(c['lit']).to.equal('raw \\n');
    // The dotted key after the second [[arr]] belongs to that table.
    expect(doc['arr']).to.deep.equal([{ n: 1 }, { n: 2, dotted: { key: 'v' } }]);
  });

  it('keeps [host."…"] tables in file order and refuses duplicates and bad syntax with file, line and column', () => {
    const doc = parseToml('[host."https://z"]\n[host."https://a"]\n[host."https://m"]\n');
    expect(Object.keys(doc['host'] as TomlTable)).to.deep.equal([
      'https://z',
      'https://a',
      'https://m',
    ]);
    const dupKey = thrown(() => parseToml('a = 1\nb = 2\na = 3\n', 'f.toml'));
    expect(dupKey.code).to.equal('E_CONFIG_INVALID');
    expect(dupKey.message).to.equal(
      'f.toml: line 3, column 1: trying to redefine an already defined table or value',
    );
    expect(dupKey.details).to.include({ file: 'f.toml', line: 3, column: 1 });
    expect(thrown(() => parseToml('a = 1\nb = [1,\n  2 3]\n', 'g.toml')).message).to.match(
      /^g\.toml: line 3, column \d+: /,
    );
    expect(thrownCode(() => parseToml('[t]\n[t]\n'))).to.equal('E_CONFIG_INVALID');
    expect(thrownCode(() => parseToml('x = "unterminated\n'))).to.equal('E_CONFIG_INVALID');
    expect(thrownCode(() => parseToml('x = 1 y = 2\n'))).to.equal('E_CONFIG_INVALID');
    expect(thrownCode(() => parseToml('x = [1, 2\n'))).to.equal('E_CONFIG_INVALID');
    expect(thrownCode(() => parseToml('x = nope\n'))).to.equal('E_CONFIG_INVALID');
    expect(parseToml('"__proto__" = 1\n')).to.have.own.property('__proto__', 1);
  });
});

describe('mirror: targets and hosts', () => {
  it('builds the containerd endpoint from --private-registry: /v2/NAMESPACE with a namespace, none without', () => {
    expect(mirrorTarget('10.0.0.5:5000/test-namespace')).to.include({
      registry: '10.0.0.5:5000',
      namespace: 'test-namespace',
      scheme: 'https',
      endpoint: 'https://10.0.0.5:5000/v2/test-namespace',
      apiRoot: '/v2/test-namespace',
    });
    expect(mirrorTarget('reg.local:5000', true)).to.include({
      endpoint: 'http://reg.local:5000',
      apiRoot: '/v2',
    });
    expect(mirrorTarget('reg:5000/team/mirror').endpoint).to.equal(
      'https://reg:5000/v2/team/mirror',
    );
    expect(thrownCode(() => mirrorTarget('https://reg:5000'))).to.equal('E_USAGE');
  });

  it('names upstreams and host folders as containerd does', () => {
    expect(upstreamServer('docker.io')).to.equal('https://registry-1.docker.io');
    expect(upstreamServer('gcr.io')).to.equal('https://gcr.io');
    expect(hostDirCandidates('reg.local:5000')).to.deep.equal([
      'reg.local_5000_',
      'reg.local:5000',
      '_default',
    ]);
    expect(hostDirCandidates('quay.io')).to.deep.equal(['quay.io', '_default']);
  });

  it('takes hosts from --hosts (Docker Hub aliases folded) or from image names, always with gcr.io', () => {
    expect(
      hostsFromFlag(['docker.io,quay.io', ' index.docker.io ', 'Registry.K8s.io']),
    ).to.deep.equal(['docker.io', 'quay.io', 'registry.k8s.io']);
    expect(normalizeMirroredHost('registry-1.docker.io')).to.equal('docker.io');
    expect(thrownCode(() => hostsFromFlag(['https://quay.io']))).to.equal('E_USAGE');
    expect(thrownCode(() => hostsFromFlag(['quay.io/org']))).to.equal('E_USAGE');
    expect(thrownCode(() => hostsFromFlag([' , ']))).to.equal('E_USAGE');
    expect(
      hostsFromImageNames(
        [
          'nginx:1.25',
          'quay.io/org/app:1',
          'gcr.io/x/y@sha256:' + 'a'.repeat(64),
          '1.0',
          'library/busybox:1',
        ],
        'bundle',
      ),
    ).to.deep.equal(['docker.io', 'gcr.io', 'quay.io']);
    expect(mirroredHosts(['quay.io', 'docker.io', '10.0.0.5:5000'], '10.0.0.5:5000')).to.deep.equal(
      {
        hosts: ['docker.io', 'gcr.io', 'quay.io'],
        skipped: ['10.0.0.5:5000'],
      },
    );
  });
});

describe('mirror: rendered configuration (parsed back)', () => {
  const ns = mirrorTarget('10.0.0.5:5000/test-namespace');

  it('hosts.toml with a namespace: upstream server, the mirror with pull+resolve, CA, override_path', () => {
    const doc = parseToml(
      renderHostsToml({
        upstream: 'docker.io',
        target: ns,
        ca: '/etc/containerd/certs.d/docker.io/ca.crt',
      }),
    );
    expect(doc).to.deep.equal({
      server: 'https://registry-1.docker.io',
      host: {
        'https://10.0.0.5:5000/v2/test-namespace': {
          capabilities: ['pull', 'resolve'],
          ca: '/etc/containerd/certs.d/docker.io/ca.crt',
          override_path: true,
        },
      },
    });
    expect(
      analyzeHostsToml('docker.io', doc, ns, '/etc/containerd/certs.d/docker.io').status,
    ).to.equal('ok');
  });

  it('hosts.toml without a namespace has no override_path; plain HTTP and skip_verify only when asked', () => {
    const plain = parseToml(
      renderHostsToml({ upstream: 'quay.io', target: mirrorTarget('reg:5000', true) }),
    );
    expect(plain).to.deep.equal({
      server: 'https://quay.io',
      host: { 'http://reg:5000': { capabilities: ['pull', 'resolve'] } },
    });
    const skip = parseToml(
      renderHostsToml({ upstream: 'quay.io', target: mirrorTarget('reg:5000'), skipVerify: true }),
    );
    expect(tomlTableAt(skip, ['host', 'https://reg:5000'])).to.deep.equal({
      capabilities: ['pull', 'resolve'],
      skip_verify: true,
    });
  });

  it('the same input gives byte-identical output', () => {
    const a = renderHostsToml({ upstream: 'gcr.io', target: ns, ca: '/x/ca.crt' });
    expect(renderHostsToml({ upstream: 'gcr.io', target: ns, ca: '/x/ca.crt' })).to.equal(a);
  });

  it('config.toml: CRI mirrors with the namespace path in the endpoint, TLS keyed by the mirror, caveats as comments', () => {
    const text = renderConfigToml({
      hosts: ['docker.io', 'gcr.io'],
      target: ns,
      caFile: '/etc/containerd/certs.d/10.0.0.5:5000/ca.crt',
      skipVerify: true,
      auth: { auth: 'dTpw' },
    });
    expect(text).to.match(/containerd 2\.x no longer reads registry\.configs\.\*\.tls/);
    expect(text).to.match(/cannot be combined with config_path/);
    const registry = tomlTableAt(parseToml(text), cri)!;
    expect(registry).to.deep.equal({
      mirrors: {
        'docker.io': { endpoint: ['https://10.0.0.5:5000/v2/test-namespace'] },
        'gcr.io': { endpoint: ['https://10.0.0.5:5000/v2/test-namespace'] },
      },
      configs: {
        '10.0.0.5:5000': {
          tls: {
            ca_file: '/etc/containerd/certs.d/10.0.0.5:5000/ca.crt',
            insecure_skip_verify: true,
          },
          auth: { auth: 'dTpw' },
        },
      },
    });
    expect(analyzeCriMirror('docker.io', registry, ns).status).to.equal('ok');
  });

  it('bmctl: the registryMirrors header without gcr.io, and a user cluster snippet with Secret references', () => {
    const text = renderBmctl({
      target: ns,
      hosts: ['docker.io', 'gcr.io', 'quay.io'],
      caCertPath: '/root/ca.crt',
      pullCredentialConfigPath: '/root/.docker/config.json',
      clusterName: 'user1',
    });
    const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    expect(docs).to.deep.equal([
      {
        registryMirrors: [
          {
            endpoint: 'https://10.0.0.5:5000/v2/test-namespace',
            caCertPath: '/root/ca.crt',
            pullCredentialConfigPath: '/root/.docker/config.json',
            hosts: ['docker.io', 'quay.io'],
          },
        ],
      },
      {
        spec: {
          nodeConfig: {
            registryMirrors: [
              {
                endpoint: 'https://10.0.0.5:5000/v2/test-namespace',
                caCertSecretRef: { name: 'registry-mirror-ca', namespace: 'cluster-user1' },
                pullCredentialSecretRef: {
                  name: 'registry-mirror-pull-credential',
                  namespace: 'cluster-user1',
                },
                hosts: ['docker.io', 'quay.io'],
              },
            ],
          },
        },
      },
    ]);
    expect(text).to.contain(
      'kubectl -n cluster-user1 create secret generic registry-mirror-ca --from-file=ca.crt=/root/ca.crt',
    );
  });
});

describe('mirror: judging containerd configuration', () => {
  const ns = mirrorTarget('10.0.0.5:5000/ns');
  const hosts = (body: string): TomlTable =>
    parseToml(`server = "https://registry-1.docker.io"\n${body}`);
  const judge = (body: string) => analyzeHostsToml('docker.io', hosts(body), ns, '/d');

  it('finds each way a hosts.toml misses the namespaced mirror', () => {
    const cases: Array<[string, RegExp]> = [
      [
        '[host."https://10.0.0.5:5000/v2/ns"]\ncapabilities = ["pull", "resolve"]',
        /override_path = true is missing: containerd asks \/v2\/ns\/v2\//,
      ],
      [
        '[host."https://10.0.0.5:5000"]\ncapabilities = ["pull", "resolve"]',
        /namespace path \/v2\/ns is missing/,
      ],
      ['[host."https://10.0.0.5:5000/ns"]\noverride_path = true', /\/v2 is missing/],
      [
        '[host."https://10.0.0.5:5001/v2/ns"]\noverride_path = true',
        /no \[host\."…"\] entry points at 10\.0\.0\.5:5000 \(wrong host or port\?\)/,
      ],
      [
        '[host."https://10.0.0.5:5000/v2/ns"]\noverride_path = true\ncapabilities = ["pull"]',
        /capabilities lack "resolve"/,
      ],
      [
        '[host."http://10.0.0.5:5000/v2/ns"]\noverride_path = true',
        /uses http, but the mirror speaks https/,
      ],
    ];
    for (const [body, problem] of cases) {
      const a = judge(body);
      expect(a.status, body).to.equal('wrong');
      expect(a.problems.join('\n'), body).to.match(problem);
    }
    expect(judge('').status).to.equal('not-mirrored');
    const good = judge('[host."https://10.0.0.5:5000/v2/ns"]\noverride_path = true\nca = "ca.crt"');
    expect(good.status).to.equal('ok');
    expect(good.caFiles).to.deep.equal(['/d/ca.crt']);
    expect(good.notes.join()).to.contain('falls back to https://registry-1.docker.io');
  });

  it('reads CRI mirrors with their verbatim endpoint paths, and flags mirrors set together with config_path', () => {
    const reg = (text: string): TomlTable => criRegistryTable(parseToml(text))!.table;
    const mirrors = (endpoint: string): TomlTable =>
      reg(
        `[plugins."io.containerd.grpc.v1.cri".registry.mirrors."gcr.io"]\nendpoint = ["${endpoint}"]\n`,
      );
    expect(analyzeCriMirror('gcr.io', mirrors('https://10.0.0.5:5000/v2/ns'), ns).status).to.equal(
      'ok',
    );
    expect(
      analyzeCriMirror('gcr.io', mirrors('https://10.0.0.5:5000/ns'), ns).problems.join(),
    ).to.match(/\/v2 is missing/);
    expect(
      analyzeCriMirror('gcr.io', mirrors('https://10.0.0.5:5000'), ns).problems.join(),
    ).to.match(/namespace path/);
    expect(
      analyzeCriMirror('docker.io', mirrors('https://10.0.0.5:5000/v2/ns'), ns).status,
    ).to.equal('not-mirrored');
    const both = reg(
      '[plugins."io.containerd.grpc.v1.cri".registry]\nconfig_path = "/etc/containerd/certs.d"\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors."gcr.io"]\nendpoint = ["https://x"]\n',
    );
    expect(criRegistryProblems(both).join()).to.contain(
      '`mirrors` cannot be set when `config_path` is provided',
    );
    const v3 = criRegistryTable(
      parseToml(
        'version = 3\n[plugins."io.containerd.cri.v1.images".registry]\nconfig_path = "/x"\n',
      ),
    );
    expect(v3?.path).to.equal('plugins."io.containerd.cri.v1.images".registry');
  });
});
