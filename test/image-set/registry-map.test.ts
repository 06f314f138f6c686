import { expect } from 'chai';
import { loadImageSets, parseImageSet } from '../../src/image-set/index.js';
import { formatReference } from '../../src/reference/index.js';
import { lines, TempManifests } from './temp-manifests.js';
import { rejection } from '../rig/rejection.js';

const digest = `sha256:${'00'.repeat(16)}${'11'.repeat(16)}`;

describe('ImageSet skopeo-sync and mindthegap files', () => {
  let tmp: TempManifests;
  before(async () => {
    tmp = await TempManifests.create();
  });
  after(async () => {
    await tmp.remove();
  });

  it('reads the skopeo-sync example: tags and digests, settings as warnings', async () => {
    const file = await tmp.write(
      'sync.yml',
      lines(
        'registry.example.com:', // 1
        '    images:', // 2
        '        redis:', // 3
        '            - "1.0"', // 4
        '            - "2.0"', // 5
        `            - "${digest}"`, // 6
        '    credentials:', // 7
        '        username: john', // 8
        '        password: this is a secret', // 9
        '    tls-verify: true', // 10
        '    cert-dir: /home/john/certs', // 11
        'quay.io:', // 12
        '    tls-verify: false', // 13
        '    images:', // 14
        '        coreos/etcd:', // 15
        '            - latest', // 16
      ),
    );
    const set = await loadImageSets([file]);
    expect(set.name).to.equal('sync');
    expect(set.version).to.equal('unversioned');
    expect(set.images.map((e) => formatReference(e.ref))).to.deep.equal([
      'registry.example.com/redis:1.0',
      'registry.example.com/redis:2.0',
      `registry.example.com/redis@${digest}`,
      'quay.io/coreos/etcd:latest',
    ]);
    expect(set.images.map((e) => e.origin.line)).to.deep.equal([4, 5, 6, 16]);
    expect(set.images[0]?.source).to.equal('registry.example.com/redis:1.0');
    expect(set.warnings).to.have.length(4);
    expect(set.warnings[0]).to.match(new RegExp(`^${file}:7: credentials .*Docker config`));
    expect(set.warnings[1]).to.match(new RegExp(`^${file}:10: tls-verify .*TLS settings`));
    expect(set.warnings[2]).to.match(new RegExp(`^${file}:11: cert-dir .*CA settings`));
    expect(set.warnings[3]).to.match(new RegExp(`^${file}:13: tls-verify for quay.io`));
    expect(set.warnings.join('\n')).not.to.contain('secret');
  });

  it("reads mindthegap's images.yaml shape (tlsVerify, docker.io, unquoted tags)", () => {
    const set = parseImageSet(
      lines(
        '---',
        'docker.io:',
        '  images:',
        '    library/nginx:',
        '      - 1.18',
        '    apteno/alpine-jq:',
        '      - 2021-01-19',
        '    bitnami/kubectl: [1.17.16, 1.19.7]',
        'quay.io:',
        '  tlsVerify: false',
        '  images:',
        '    jetstack/cert-manager-controller:',
        '      - v1.5.4',
      ),
      'images.yaml',
    );
    expect(set.images.map((e) => formatReference(e.ref))).to.deep.equal([
      'docker.io/library/nginx:1.18',
      'docker.io/apteno/alpine-jq:2021-01-19',
      'docker.io/bitnami/kubectl:1.17.16',
      'docker.io/bitnami/kubectl:1.19.7',
      'quay.io/jetstack/cert-manager-controller:v1.5.4',
    ]);
    expect(set.warnings).to.deep.equal([
      "images.yaml:10: tlsVerify for quay.io is not supported and is ignored; use the command's TLS settings instead",
    ]);
  });

  it('warns about a registry that lists no images', () => {
    const set = parseImageSet(
      lines('a.example.com:', '  tls-verify: false', 'b.example.com:', '  images:', '    x: [v1]'),
      'f.yaml',
    );
    expect(set.warnings).to.include('f.yaml:1: registry a.example.com lists no images');
    expect(set.images).to.have.length(1);
  });

  const errors: [string, string, number, RegExp][] = [
    [
      'an empty tag list (every tag)',
      lines('quay.io:', '  images:', '    coreos/etcd: []'),
      3,
      /no tags listed for quay\.io\/coreos\/etcd.*every tag.*\(entry quay\.io\/coreos\/etcd\)/,
    ],
    [
      'a repository with no value (every tag)',
      lines('r.io:', '  images:', '    a: [v1]', '    busybox:'),
      4,
      /no tags listed for r\.io\/busybox/,
    ],
    [
      'images-by-tag-regex',
      lines(
        'r.io:',
        '  images:',
        '    a: [v1]',
        '  images-by-tag-regex:',
        '    nginx: ^1\\.13\\.[12]-alpine-perl$',
      ),
      4,
      /images-by-tag-regex is not supported/,
    ],
    [
      'images-by-semver',
      lines('r.io:', '  images-by-semver:', '    alpine: ">= 3.12.0"'),
      2,
      /images-by-semver is not supported/,
    ],
    [
      'a misspelt key',
      lines('r.io:', '  image:', '    a: [v1]'),
      2,
      /unknown key "image" in registry r\.io \(did you mean "images"\?\)/,
    ],
    [
      'a tag that is not a list',
      lines('r.io:', '  images:', '    a: v1'),
      3,
      /the tags of r\.io\/a must be a list/,
    ],
    [
      'a bad tag',
      lines('r.io:', '  images:', '    a:', '      - v1', '      - -bad'),
      5,
      /invalid image reference "r\.io\/a:-bad"/,
    ],
    [
      'a bad digest',
      lines('r.io:', '  images:', '    a: ["sha256:abc"]'),
      3,
      /invalid image reference "r\.io\/a@sha256:abc"/,
    ],
    [
      'a bad repository',
      lines('r.io:', '  images:', '    Upper/Case: [v1]'),
      3,
      /must be lowercase/,
    ],
    [
      'a registry that is not a mapping',
      lines('r.io: [a, b]'),
      1,
      /registry r\.io must be a mapping/,
    ],
  ];
  for (const [what, text, line, message] of errors) {
    it(`reports ${what} as FILE:${line}`, async () => {
      const file = await tmp.write('sync.yaml', text);
      const err = await rejection(() => loadImageSets([file]));
      expect(err.code).to.equal('E_IMAGESET_INVALID');
      expect(err.message).to.contain(`${file}:${line}:`);
      expect(err.message).to.match(message);
      expect(err.hint).to.be.a('string').that.is.not.empty;
    });
  }

  it('hints to list tags explicitly for the forms that ask the registry', async () => {
    for (const text of [
      lines('r.io:', '  images:', '    a: []'),
      lines('r.io:', '  images-by-semver:', '    a: ">= 1"'),
    ]) {
      const err = await rejection(() => parseImageSet(text, 'f.yaml'));
      expect(err.hint).to.contain('list each tag or digest explicitly');
    }
  });

  it('rejects a file whose registries list no images at all', async () => {
    const err = await rejection(() =>
      parseImageSet(lines('r.io:', '  tls-verify: false'), 'f.yaml'),
    );
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.equal('f.yaml:1: the file lists no images');
  });
});
