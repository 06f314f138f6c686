import { expect } from 'chai';
import { planDaemonJson } from '../../src/mirror/analysis-daemon-json.js';
import { planRegistriesConf, registryEntries } from '../../src/mirror/analysis-registries-conf.js';
import { applyRewrites, planRegistriesYaml } from '../../src/mirror/analysis-registries-yaml.js';
import { configVersionProblems } from '../../src/mirror/config-analysis.js';
import { mirrorTarget } from '../../src/mirror/mirror-target.js';
import { parseToml } from '../../src/mirror/toml-parse.js';

const target = mirrorTarget('reg:5000/ns');
const nginx = { registry: 'docker.io', repository: 'library/nginx', reference: '1.0' };
const certs = (h: string) => `/etc/containers/certs.d/${h}`;

describe('mirror analysis: what a node does per image, format by format', () => {
  it('registries.conf: a later drop-in replaces a prefix, the longest prefix wins, the rest of the name follows the mirror location', () => {
    const main = parseToml(
      '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "other:5000"\n',
    );
    const dropIn = parseToml(
      '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "reg:5000/ns"\n' +
        '[[registry]]\nprefix = "docker.io/library/busybox"\nlocation = "docker.io/library/busybox"\n',
    );
    const entries = registryEntries([
      { file: 'registries.conf', doc: main },
      { file: '50.conf', doc: dropIn },
    ]);
    const plan = planRegistriesConf(entries, nginx, target, certs);
    expect(plan).to.include({
      status: 'ok',
      asks: 'https://reg:5000/v2/ns/library/nginx/manifests/1.0',
      fallback: 'docker.io/library/nginx',
      optionalCa: '/etc/containers/certs.d/reg:5000/ca.crt',
    });
    const busybox = { ...nginx, repository: 'library/busybox' };
    expect(planRegistriesConf(entries, busybox, target, certs).status).to.equal('not-mirrored');
    const digestOnly = registryEntries([
      {
        file: 'f',
        doc: parseToml(
          '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "reg:5000/ns"\npull-from-mirror = "digest-only"\n',
        ),
      },
    ]);
    expect(planRegistriesConf(digestOnly, nginx, target, certs).problems.join()).to.contain(
      'the mirror is skipped for 1.0',
    );
    const plain = planRegistriesConf(entries, nginx, mirrorTarget('reg:5000/ns', true), certs);
    expect(plain.problems.join()).to.contain('insecure = true is not set');
  });

  it('registries.yaml: rewrites with Go replacements, the "*" mirror, and an endpoint with a path refused', () => {
    expect(applyRewrites({ '^(.*)$': 'ns/${1}' }, 'org/app')).to.equal('ns/org/app');
    expect(applyRewrites({ '^library/(.*)': 'lib/$1', '^(.*)$': 'x/$1' }, 'library/a')).to.equal(
      'lib/a',
    );
    const star = planRegistriesYaml(
      { mirrors: { '*': { endpoint: ['https://reg:5000'], rewrite: { '^(.*)$': 'ns/$1' } } } },
      nginx,
      target,
    );
    expect(star).to.include({
      status: 'ok',
      asks: 'https://reg:5000/v2/ns/library/nginx/manifests/1.0',
    });
    expect(star.notes).to.include('mirrored through mirrors."*"');
    const withPath = planRegistriesYaml(
      { mirrors: { 'docker.io': { endpoint: ['https://reg:5000/v2/ns'] } } },
      nginx,
      target,
    );
    expect(withPath.problems.join()).to.contain('carries a path');
  });

  it('daemon.json: plain HTTP needs insecure-registries; other registries are not mirrored', () => {
    const t = mirrorTarget('reg:5000', true);
    const dockerCerts = (h: string) => `/etc/docker/certs.d/${h}`;
    const bare = { 'registry-mirrors': ['http://reg:5000'] };
    expect(planDaemonJson(bare, nginx, t, dockerCerts).problems.join()).to.contain(
      'not in insecure-registries',
    );
    const ok = planDaemonJson(
      { ...bare, 'insecure-registries': ['reg:5000'] },
      nginx,
      t,
      dockerCerts,
    );
    expect(ok).to.include({ status: 'ok', asks: 'http://reg:5000/v2/library/nginx/manifests/1.0' });
    const quay = { registry: 'quay.io', repository: 'a/b', reference: '1' };
    expect(planDaemonJson(bare, quay, t, dockerCerts).status).to.equal('not-mirrored');
  });

  it('config versions: a version 3 table in a version 2 file, and version 3 for containerd 1.x, are problems', () => {
    const v3Path = 'plugins."io.containerd.cri.v1.images".registry';
    expect(configVersionProblems({ version: 3 }, v3Path, 3)).to.deep.equal([]);
    expect(configVersionProblems({ version: 2 }, v3Path, undefined).join()).to.contain(
      'belongs to config version 3',
    );
    expect(configVersionProblems({ version: 3 }, v3Path, 2).join()).to.contain(
      'containerd 1.x does not read config version 3',
    );
    expect(
      configVersionProblems(
        { version: 3 },
        'plugins."io.containerd.grpc.v1.cri".registry',
        3,
      ).join(),
    ).to.contain('containerd ignores it');
  });
});
