import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { applyRewrites, planRegistriesYaml } from '../../src/mirror/analysis-registries-yaml.js';
import { planRegistriesConf, registryEntries } from '../../src/mirror/analysis-registries-conf.js';
import { manifestUrl } from '../../src/mirror/image-plan.js';
import { mirrorTarget } from '../../src/mirror/mirror-target.js';
import {
  keepsPaths,
  mappedRepositories,
  refuseMovedPaths,
} from '../../src/mirror/path-mapping-check.js';
import { renderRegistriesConf } from '../../src/mirror/runtime-registries-conf.js';
import { renderRegistriesYaml } from '../../src/mirror/runtime-registries-yaml.js';
import {
  mirrorRuntimes,
  runtimeCapabilities,
  type RuntimeInput,
} from '../../src/mirror/runtime-tree.js';
import { parseToml } from '../../src/mirror/toml-parse.js';
import { parsePathRule, type PathMapping } from '../../src/push/repository-paths.js';
import { mapImages } from '../../src/push/target-mapping.js';
import { parseReference } from '../../src/reference/index.js';
import { thrown } from '../rig/rejection.js';

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

const desc = (c: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 10,
});

/** Images of a release, pushed to reg:5000/mirror with a rewrite rule and a depth limit. */
const images = [
  { name: 'quay.io/jetstack/cert-manager/controller:v1.14', descriptor: desc('a') },
  { name: 'quay.io/jetstack/cert-manager/webhook:v1.14', descriptor: desc('b') },
  { name: 'quay.io/team/x.y/app:1', descriptor: desc('c') },
  { name: 'docker.io/library/nginx:1.25', descriptor: desc('d') },
  { name: 'quay.io/pause:3.9', descriptor: desc('e') },
];
const mapping: PathMapping = { rules: [parsePathRule('jetstack=js')], maxDepth: 2 };
const target = mirrorTarget('reg:5000/mirror');

/** Each image as a node names it, and the URL where push put it. */
function expectations(): Array<{ name: ReturnType<typeof imageName>; expected: string }> {
  return mapImages(images, target, 'fallback', mapping).images.map((m) => ({
    name: imageName(m.name),
    expected: manifestUrl('https://reg:5000/v2', m.target.repository, imageName(m.name).reference),
  }));
}

function imageName(name: string): { registry: string; repository: string; reference: string } {
  const r = parseReference(name);
  return { registry: r.registry, repository: r.repository, reference: r.tag ?? r.digest ?? '' };
}

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

  /*
   * containers-registries.conf(5), "Choosing a [[registry]] TOML table": the
   * image name must start with `prefix` and continue with a separator, and
   * only the longest match is used; each [[registry.mirror]] `location`
   * replaces that prefix. mirror check applies these rules
   * (analysis-registries-conf.ts); here it reads what mirror config wrote for
   * a rewrite rule and a fold together.
   */
  it('registries.conf under --rewrite and --max-nested-paths: every image is asked where push put it, by the man page rules', () => {
    const repos = mappedRepositories(images, target, 'fallback', mapping);
    const text = renderRegistriesConf({ ...input, hosts: ['docker.io', 'quay.io'], moved: repos });
    const entries = registryEntries([
      { file: 'drop-in.conf', doc: parseToml(text, 'drop-in.conf') },
    ]);
    for (const { name, expected } of expectations()) {
      const plan = planRegistriesConf(entries, name, target, (h) => `/etc/containers/certs.d/${h}`);
      expect([name.repository, plan.status, plan.asks]).to.eql([name.repository, 'ok', expected]);
      expect(plan.fallback).to.equal(`${name.registry}/${name.repository}`);
    }
    // The prefix ends at a path separator: a sibling repository keeps the host's entry.
    const sibling = planRegistriesConf(
      entries,
      { registry: 'quay.io', repository: 'jetstack/cert-manager/controller2', reference: '1' },
      target,
      (h) => h,
    );
    expect(sibling.asks).to.equal(
      'https://reg:5000/v2/mirror/jetstack/cert-manager/controller2/manifests/1',
    );
  });

  /*
   * docs.k3s.io/installation/private-registry (the same page for RKE2,
   * docs.rke2.io/install/private_registry): "Rewrites" are regular
   * expressions over the repository (without the registry), with `$1`
   * replacements, applied at the mirror endpoints; "Default Endpoint
   * Fallback": they are not applied to the default endpoint, tried last.
   * The rules of a mirror are a YAML map whose order the runtime does not
   * keep (rancher/rke2#3227), so every rule written is anchored and matches
   * one repository only, dots escaped.
   */
  it('registries.yaml under --rewrite and --max-nested-paths: anchored exclusive rules give every image the pushed path, by the k3s documented rules', () => {
    const repos = mappedRepositories(images, target, 'fallback', mapping);
    const doc = parseYaml(
      renderRegistriesYaml({ ...input, hosts: ['docker.io', 'quay.io'], moved: repos }, 'rke2'),
    ) as { mirrors: Record<string, { endpoint: string[]; rewrite: Record<string, string> }> };
    for (const { name, expected } of expectations()) {
      const plan = planRegistriesYaml(doc, name, target);
      expect([name.repository, plan.status, plan.asks]).to.eql([name.repository, 'ok', expected]);
      // The default endpoint is the registry itself, unrewritten.
      expect(plan.fallback).to.equal(
        name.registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${name.registry}`,
      );
    }
    const quay = doc.mirrors['quay.io']!;
    expect(quay.endpoint).to.eql(['https://reg:5000']);
    for (const pattern of Object.keys(quay.rewrite)) expect(pattern).to.match(/^\^.*\$$/);
    expect(quay.rewrite['^team/x\\.y/app$']).to.equal('mirror/team-x.y-app');
    // Each rule matches its repository only: a dot is not a wildcard, a longer name is not taken.
    for (const other of ['team/xzy/app', 'jetstack/cert-manager/controller2'])
      expect(applyRewrites(quay.rewrite, other)).to.equal(other);
  });

  it('the path-keeping runtimes refuse a mapping that moves images, naming the runtime and the images', () => {
    expect(mirrorRuntimes.filter(keepsPaths)).to.eql(
      mirrorRuntimes.filter((r) => !runtimeCapabilities[r].canExpressPathRewrite),
    );
    for (const runtime of ['containerd', 'containerd2', 'docker', 'bmctl'] as const) {
      const e = thrown(() => {
        refuseMovedPaths(images, target, 'fallback', mapping, runtime);
      });
      expect([e.reason, e.details.runtime]).to.eql(['mirror-paths-not-expressible', runtime]);
      expect(e.message).to.include(`(runtime ${runtime}) keeps every image's path`);
      expect(e.message).to.include('moves 4 of 5 images');
      expect(e.details.images).to.include('quay.io/jetstack/cert-manager/controller:v1.14');
      expect(e.hint).to.include('crio, podman, k3s and rke2');
    }
  });
});
