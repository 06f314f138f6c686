import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { applyRewrites } from '../../src/mirror/analysis-registries-yaml.js';
import { mirrorTarget } from '../../src/mirror/mirror-target.js';
import { renderRegistriesConf } from '../../src/mirror/runtime-registries-conf.js';
import { renderRegistriesYaml } from '../../src/mirror/runtime-registries-yaml.js';
import type { RuntimeInput } from '../../src/mirror/runtime-tree.js';
import { parseToml } from '../../src/mirror/toml-parse.js';

/** A bundle of three repositories pushed with --max-nested-paths 2 under mirror/. */
const moved = [
  { source: 'docker.io/library/nginx', mirror: 'reg:5000/mirror/library-nginx', moved: true },
  { source: 'quay.io/team/tools/app', mirror: 'reg:5000/mirror/team-tools-app', moved: true },
  { source: 'quay.io/pause', mirror: 'reg:5000/mirror/pause', moved: false },
];
const input: RuntimeInput = {
  target: mirrorTarget('reg:5000/mirror'),
  hosts: ['docker.io', 'quay.io'],
  skipVerify: false,
  nodeRoot: '/',
  moved,
};

describe('push path mappings in the runtimes that can express them', () => {
  it('registries.conf: a [[registry]] per moved repository, to where push put it', () => {
    const conf = parseToml(renderRegistriesConf(input), 'drop-in.conf');
    const registries = conf.registry as Array<{
      prefix: string;
      mirror: Array<{ location: string }>;
    }>;
    const byPrefix = new Map(registries.map((r) => [r.prefix, r.mirror[0]?.location]));
    expect(byPrefix.get('docker.io/library/nginx')).to.equal('reg:5000/mirror/library-nginx');
    expect(byPrefix.get('quay.io/team/tools/app')).to.equal('reg:5000/mirror/team-tools-app');
    // Unmoved repositories keep the host's entry (the namespace in front of the path).
    expect(byPrefix.has('quay.io/pause')).to.equal(false);
    expect(byPrefix.get('quay.io')).to.equal('reg:5000/mirror');
  });

  it('registries.yaml (k3s, RKE2): one anchored rewrite per repository of the host; the rule the node applies gives the pushed path', () => {
    const doc = parseYaml(renderRegistriesYaml(input, 'k3s')) as {
      mirrors: Record<string, { rewrite: Record<string, string> }>;
    };
    const quay = doc.mirrors['quay.io']!.rewrite;
    expect(Object.keys(quay).sort()).to.eql(['^pause$', '^team/tools/app$']);
    expect(applyRewrites(quay, 'team/tools/app')).to.equal('mirror/team-tools-app');
    expect(applyRewrites(quay, 'pause')).to.equal('mirror/pause');
    // Exclusive names: a longer or shorter name matches no rule.
    expect(applyRewrites(quay, 'team/tools/app2')).to.equal('team/tools/app2');
    expect(applyRewrites(doc.mirrors['docker.io']!.rewrite, 'library/nginx')).to.equal(
      'mirror/library-nginx',
    );
  });
});
