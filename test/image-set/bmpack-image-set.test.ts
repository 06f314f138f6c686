import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadImageSets, parseImageSet } from '../../src/image-set/index.js';
import { formatPlatform } from '../../src/oci/platform.js';
import { formatReference } from '../../src/reference/index.js';
import { lines, TempManifests } from './temp-manifests.js';
import { rejection } from '../rig/rejection.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const example = fileURLToPath(new URL('../../manifests/example.yaml', import.meta.url));

const valid = lines(
  'apiVersion: bmpack.io/v1', // 1
  'kind: ImageSet', // 2
  'metadata: { name: example, version: 1.0.0 }', // 3
  'spec:', // 4
  '  platforms: [linux/amd64]', // 5
  '  images:', // 6
  '    - gcr.io/kubernetes-e2e-test-images/nautilus:1.0', // 7
  '    - ref: registry.k8s.io/pause:3.10', // 8
  '      platforms: [linux/amd64, linux/arm64/v8]', // 9
  `    - quay.io/coreos/etcd@${digest}`, // 10
  '    - nginx', // 11
);

/** A valid ImageSet with one line changed (1-based). */
function withLine(n: number, text: string): string {
  const l = valid.split('\n');
  l[n - 1] = text;
  return l.join('\n');
}

describe('ImageSet bmpack format', () => {
  let tmp: TempManifests;
  before(async () => {
    tmp = await TempManifests.create();
  });
  after(async () => {
    await tmp.remove();
  });

  it('reads name, version, default platforms and every entry', async () => {
    const file = await tmp.write('release.yaml', valid);
    const set = await loadImageSets([file]);
    expect(set.name).to.equal('example');
    expect(set.version).to.equal('1.0.0');
    expect(set.files).to.deep.equal([file]);
    expect(set.warnings).to.deep.equal([]);
    expect(set.platforms?.map(formatPlatform)).to.deep.equal(['linux/amd64']);
    expect(set.images.map((e) => formatReference(e.ref))).to.deep.equal([
      'gcr.io/kubernetes-e2e-test-images/nautilus:1.0',
      'registry.k8s.io/pause:3.10',
      `quay.io/coreos/etcd@${digest}`,
      'docker.io/library/nginx:latest',
    ]);
    expect(set.images.map((e) => e.source)).to.deep.equal([
      'gcr.io/kubernetes-e2e-test-images/nautilus:1.0',
      'registry.k8s.io/pause:3.10',
      `quay.io/coreos/etcd@${digest}`,
      'nginx',
    ]);
    expect(set.images.map((e) => e.origin)).to.deep.equal(
      [7, 8, 10, 11].map((line) => ({ file, line })),
    );
    expect(set.images[0]?.platforms).to.equal(undefined);
    expect(set.images[1]?.platforms?.map(formatPlatform)).to.deep.equal([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  it('parses manifests/example.yaml', async () => {
    const set = await loadImageSets([example]);
    expect(set.name).to.equal('example');
    expect(set.version).to.equal('1.0.0');
    expect(set.platforms?.map(formatPlatform)).to.deep.equal(['linux/amd64']);
    const refs = set.images.map((e) => formatReference(e.ref));
    expect(refs).to.include('registry.k8s.io/pause:3.10');
    expect(refs).to.include('registry.k8s.io/etcd:3.5.15-0');
    expect(refs).to.include('registry.k8s.io/coredns/coredns:v1.11.3');
    for (const component of ['apiserver', 'controller-manager', 'scheduler', 'proxy']) {
      expect(
        refs.filter((r) => r.startsWith(`registry.k8s.io/kube-${component}:v1.31.`)),
      ).to.have.length(1);
    }
    expect(set.images.some((e) => e.platforms !== undefined)).to.equal(true);
  });

  it('reads strictPlatforms on an entry (true or false), and refuses anything else naming the line', async () => {
    const strict = parseImageSet(
      withLine(10, `    - {ref: "quay.io/coreos/etcd@${digest}", strictPlatforms: true}`),
      'f.yaml',
    );
    expect(strict.images[2]?.strictPlatforms).to.equal(true);
    expect(parseImageSet(valid, 'f.yaml').images[2]?.strictPlatforms).to.equal(undefined);
    const err = await rejection(() =>
      parseImageSet(
        withLine(10, `    - {ref: "quay.io/coreos/etcd@${digest}", strictPlatforms: maybe}`),
        'f.yaml',
      ),
    );
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message)
      .to.contain('f.yaml:10')
      .and.contain('strictPlatforms must be true or false');
  });

  it('reads spec.referrers (all, none or a list of kinds), and refuses an unknown kind naming the line', async () => {
    const kinds = (line: string) => parseImageSet(withLine(5, line), 'f.yaml').referrers;
    expect(parseImageSet(valid, 'f.yaml').referrers).to.equal(undefined);
    expect(kinds('  referrers: none')).to.equal('none');
    expect(kinds('  referrers: all')).to.deep.equal([
      'signature',
      'attestation',
      'sbom',
      'referrers',
    ]);
    expect(kinds('  referrers: [signature, sbom]')).to.deep.equal(['signature', 'sbom']);
    const err = await rejection(() => kinds('  referrers: [signature, provenance]'));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.contain('f.yaml:5').and.contain('unknown kind');
    expect((await rejection(() => kinds('  referrers: some'))).message).to.contain(
      'all, none or a list',
    );
  });

  it('is detected by content whatever the file is called', () => {
    expect(parseImageSet(valid, 'images.txt').name).to.equal('example');
  });

  it('keeps versions and tags as written (no YAML number conversion)', () => {
    const set = parseImageSet(
      withLine(3, 'metadata: { name: example, version: 1.10 }').replace(
        '    - nginx',
        '    - ref: nginx:1.20\n      platforms: [linux/arm]',
      ),
      'f.yaml',
    );
    expect(set.version).to.equal('1.10');
    expect(set.images.at(-1)?.ref.tag).to.equal('1.20');
    expect(set.images.at(-1)?.platforms?.map(formatPlatform)).to.deep.equal(['linux/arm/v7']);
  });

  it('accepts anchors and aliases for platform lists', () => {
    const text = lines(
      'apiVersion: bmpack.io/v1',
      'kind: ImageSet',
      'metadata: { name: x, version: "1" }',
      'spec:',
      '  platforms: &both [linux/amd64, linux/arm64]',
      '  images:',
      '    - ref: a.io/x:1',
      '      platforms: *both',
    );
    const set = parseImageSet(text, 'f.yaml');
    expect(set.images[0]?.platforms?.map(formatPlatform)).to.deep.equal([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  const errors: [string, string, number, RegExp][] = [
    [
      'an unknown top-level key',
      withLine(4, 'specs:'),
      4,
      /unknown key "specs".*did you mean "spec"/,
    ],
    [
      'a typo in an entry key',
      withLine(9, '      platfroms: [linux/amd64]'),
      9,
      /unknown key "platfroms".*did you mean "platforms"/,
    ],
    ['a typo in spec', withLine(5, '  platform: [linux/amd64]'), 5, /did you mean "platforms"/],
    [
      'a wrong apiVersion',
      withLine(1, 'apiVersion: bmpack.io/v2'),
      1,
      /apiVersion must be bmpack\.io\/v1/,
    ],
    ['a wrong kind', withLine(2, 'kind: ImageList'), 2, /kind must be ImageSet/],
    ['a missing kind', withLine(2, '# no kind'), 1, /has no kind/],
    ['a missing version', withLine(3, 'metadata: { name: example }'), 3, /metadata has no version/],
    [
      'an empty version',
      withLine(3, 'metadata: { name: example, version: }'),
      3,
      /metadata\.version is empty/,
    ],
    [
      'a version with a slash',
      withLine(3, 'metadata: { name: x, version: 1.0/2 }'),
      3,
      /not safe in a file name.*entry 1\.0\/2/,
    ],
    [
      'a version with a space',
      withLine(3, 'metadata: { name: x, version: "1.0 rc" }'),
      3,
      /not safe in a file name/,
    ],
    [
      'a version starting with a dot',
      withLine(3, 'metadata: { name: x, version: .hidden }'),
      3,
      /not safe in a file name/,
    ],
    [
      'a version ending with a dot',
      withLine(3, 'metadata: { name: x, version: "1." }'),
      3,
      /not safe in a file name/,
    ],
    [
      'a version with ..',
      withLine(3, 'metadata: { name: x, version: "../1" }'),
      3,
      /not safe in a file name/,
    ],
    [
      'an uppercase name',
      withLine(3, 'metadata: { name: Example, version: "1" }'),
      3,
      /metadata\.name is not a valid name/,
    ],
    [
      'an unknown metadata key',
      withLine(3, 'metadata: { name: x, version: "1", labels: {} }'),
      3,
      /unknown key "labels" in metadata/,
    ],
    [
      'a bad reference',
      withLine(7, '    - gcr.io/Bad/Name:1.0'),
      7,
      /invalid image reference.*\(entry gcr\.io\/Bad\/Name:1\.0\)/,
    ],
    [
      'a bad reference in a mapping entry',
      withLine(8, '    - ref: registry.k8s.io/pause:3.10:extra'),
      8,
      /invalid image reference.*\(entry ref: registry\.k8s\.io\/pause:3\.10:extra platforms: \[linux\/amd64, linux\/arm64\/v8\]\)/,
    ],
    [
      'a bad default platform',
      withLine(5, '  platforms: [linux/amd64, linux/amd46]'),
      5,
      /invalid platform "linux\/amd46".*\(entry linux\/amd46\)/,
    ],
    [
      'a bad entry platform',
      withLine(9, '      platforms: [linux/amd64, linux/arm65]'),
      9,
      /invalid platform "linux\/arm65".*\(entry ref: registry/,
    ],
    ['an empty platform list', withLine(9, '      platforms: []'), 9, /platforms is an empty list/],
    [
      'a platform list that is a string',
      withLine(5, '  platforms: linux/amd64'),
      5,
      /spec\.platforms must be a list/,
    ],
    ['an empty entry', withLine(10, '    -'), 10, /spec\.images has an empty entry/],
    [
      'an entry that is a list',
      withLine(10, '    - [a, b]'),
      10,
      /an image must be a reference or a mapping/,
    ],
    [
      'an entry without ref',
      withLine(8, '    - image: registry.k8s.io/pause:3.10'),
      8,
      /unknown key "image"/,
    ],
    ['a YAML syntax error', withLine(6, '  images: [a'), 6, /invalid YAML/],
    ['a duplicate key', withLine(4, 'kind: ImageSet'), 4, /invalid YAML: Map keys must be unique/],
  ];
  for (const [what, text, line, message] of errors) {
    it(`reports ${what} as FILE:${line}`, async () => {
      const file = await tmp.write('bad.yaml', text);
      const err = await rejection(() => loadImageSets([file]));
      expect(err.code).to.equal('E_IMAGESET_INVALID');
      expect(err.message).to.contain(`${file}:${line}:`);
      expect(err.message).to.match(message);
      expect(err.hint).to.be.a('string').that.is.not.empty;
      expect(err.cause).to.be.instanceOf(Error);
    });
  }

  it('keeps the reference and platform errors as causes', async () => {
    const badRef = await rejection(() =>
      parseImageSet(withLine(7, '    - gcr.io/Bad/Name:1.0'), 'f.yaml'),
    );
    expect((badRef.cause as { code?: string }).code).to.equal('E_REF_INVALID');
    const badPlatform = await rejection(() =>
      parseImageSet(withLine(5, '  platforms: [linux/amd46]'), 'f.yaml'),
    );
    expect((badPlatform.cause as { code?: string }).code).to.equal('E_PLATFORM_INVALID');
  });

  it('reads a file with images at the top level as an attempted ImageSet', async () => {
    const err = await rejection(() => parseImageSet(lines('images:', '  - nginx:1.27'), 'f.yaml'));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message)
      .to.contain('f.yaml:1:')
      .and.to.contain('unknown key "images" in the ImageSet');
    expect(err.hint).to.contain('apiVersion: bmpack.io/v1');
  });

  it('rejects an ImageSet without images', async () => {
    const text = lines(
      'apiVersion: bmpack.io/v1',
      'kind: ImageSet',
      'metadata: { name: x, version: "1" }',
      'spec:',
      '  images: []',
    );
    const err = await rejection(() => parseImageSet(text, 'f.yaml'));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.contain('f.yaml:5:').and.to.contain('spec.images is an empty list');
    const noKey = await rejection(() =>
      parseImageSet(text.replace('  images: []\n', ''), 'f.yaml'),
    );
    expect(noKey.message).to.contain('f.yaml:4:');
  });
});
