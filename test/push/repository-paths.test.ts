import { expect } from 'chai';
import { parsePrivateRegistry } from '../../src/push/private-registry.js';
import {
  foldPath,
  parsePathRule,
  targetRepository,
  type PathMapping,
} from '../../src/push/repository-paths.js';
import { mapImages } from '../../src/push/target-mapping.js';
import { formatReference, parseReference } from '../../src/reference/index.js';
import { thrown } from '../rig/rejection.js';

const desc = (c: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 10,
});

const target = (name: string, ns: string, mapping: PathMapping): string =>
  targetRepository(parseReference(name), ns, mapping).repository;

describe('repository paths: rewrite rules and the depth fold', () => {
  it('folds the leftmost components into one, keeping the image name last', () => {
    expect(foldPath('jetstack/cert-manager/controller', 2)).to.equal(
      'jetstack-cert-manager/controller',
    );
    expect(foldPath('jetstack/cert-manager/controller', 1)).to.equal(
      'jetstack-cert-manager-controller',
    );
    expect(foldPath('a/b', 2)).to.equal('a/b');
    expect(foldPath('nginx', 1)).to.equal('nginx');
  });

  it('counts the namespace in the depth, and never folds the namespace', () => {
    const m = { rules: [], maxDepth: 3 };
    expect(target('quay.io/jetstack/cert-manager/controller:1', 'group/project', m)).to.equal(
      'group/project/jetstack-cert-manager-controller',
    );
    expect(target('registry.k8s.io/pause:3.10', 'group/project', m)).to.equal(
      'group/project/pause',
    );
    expect(target('nginx:1.27', '', { rules: [], maxDepth: 1 })).to.equal('library-nginx');
  });

  it('rewrites the longest matching prefix, by registry or by path from any registry', () => {
    const m = {
      rules: [
        parsePathRule('quay.io=q'),
        parsePathRule('quay.io/jetstack=cm'),
        parsePathRule('library='),
        parsePathRule('registry.k8s.io='),
      ],
    };
    expect(target('quay.io/jetstack/cert-manager-controller:1', 'ns', m)).to.equal(
      'ns/cm/cert-manager-controller',
    );
    expect(target('quay.io/coreos/etcd:3', 'ns', m)).to.equal('ns/q/coreos/etcd');
    expect(target('nginx:1.27', 'ns', m)).to.equal('ns/nginx');
    expect(target('registry.k8s.io/sig-storage/csi-attacher:4', '', m)).to.equal(
      'sig-storage/csi-attacher',
    );
    // A prefix matches whole components only.
    expect(target('quay.io/jetstackx/y:1', 'ns', m)).to.equal('ns/q/jetstackx/y');
  });

  it('rewrites first, then folds what the rewrite left', () => {
    const m = { rules: [parsePathRule('ghcr.io/org/team=t')], maxDepth: 2 };
    expect(target('ghcr.io/org/team/tools/img:1', 'ns', m)).to.equal('ns/t-tools-img');
  });

  it('rejects rules that are not FROM=TO with name components, naming the rule', () => {
    for (const bad of ['quay.io', '=x', 'quay.io=Upper', 'a b=c', 'quay.io=a//b']) {
      const e = thrown(() => parsePathRule(bad));
      expect(e.code, bad).to.equal('E_USAGE');
      expect(e.reason, bad).to.equal('path-rule-invalid');
      expect(e.message, bad).to.include(JSON.stringify(bad));
    }
  });

  it('rejects a rule that leaves an image no name', () => {
    const e = thrown(() => target('nginx:1', '', { rules: [parsePathRule('library/nginx=')] }));
    expect(e.reason).to.equal('path-rule-invalid');
    expect(e.message).to.include('docker.io/library/nginx');
  });

  it('rejects a depth that leaves no room below the namespace, and duplicate rules', () => {
    const to = parsePrivateRegistry('reg:5000/a/b');
    const images = [{ name: 'nginx:1', descriptor: desc('a') }];
    expect(thrown(() => mapImages(images, to, 'x', { rules: [], maxDepth: 2 })).reason).to.equal(
      'path-depth-below-namespace',
    );
    const twice = { rules: [parsePathRule('library=x'), parsePathRule('library=y')] };
    expect(thrown(() => mapImages(images, to, 'x', twice)).reason).to.equal('path-rule-invalid');
  });

  it('maps tags and digests unchanged onto the mapped repository', () => {
    const to = parsePrivateRegistry('reg:5000/mirror');
    const { images } = mapImages(
      [
        { name: 'quay.io/a/b/c:1.0', descriptor: desc('a') },
        { name: `quay.io/a/b/d@sha256:${'b'.repeat(64)}`, descriptor: desc('b') },
      ],
      to,
      'x',
      { rules: [], maxDepth: 2 },
    );
    expect(images.map((i) => formatReference(i.target))).to.deep.equal([
      'reg:5000/mirror/a-b-c:1.0',
      `reg:5000/mirror/a-b-d@sha256:${'b'.repeat(64)}`,
    ]);
  });

  it('fails when the fold merges two repositories that were apart, naming both', () => {
    const to = parsePrivateRegistry('reg:5000');
    const e = thrown(() =>
      mapImages(
        [
          { name: 'quay.io/a/b-c:1', descriptor: desc('a') },
          { name: 'quay.io/a-b/c:2', descriptor: desc('b') },
        ],
        to,
        'x',
        { rules: [], maxDepth: 1 },
      ),
    );
    expect(e.code).to.equal('E_TARGET_CONFLICT');
    expect(e.reason).to.equal('folded-paths-collide');
    expect(e.message).to.include('quay.io/a/b-c:1').and.include('quay.io/a-b/c:2');
    expect(e.message).to.include('a-b-c');
  });

  it('lets the same repository from two registries meet, as without a mapping', () => {
    const to = parsePrivateRegistry('reg:5000');
    const { images } = mapImages(
      [
        { name: 'quay.io/a/b/c:1', descriptor: desc('a') },
        { name: 'ghcr.io/a/b/c:2', descriptor: desc('b') },
      ],
      to,
      'x',
      { rules: [], maxDepth: 2 },
    );
    expect(images.map((i) => i.target.repository)).to.deep.equal(['a-b/c', 'a-b/c']);
  });
});
