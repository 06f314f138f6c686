import { expect } from 'chai';
import { loadImageSets, parseImageSet } from '../../src/image-set/index.js';
import { formatReference } from '../../src/reference/index.js';
import { lines, TempManifests } from './temp-manifests.js';
import { rejection } from '../rig/rejection.js';

const digest = `sha256:${'cd'.repeat(32)}`;

describe('ImageSet plain list', () => {
  let tmp: TempManifests;
  before(async () => {
    tmp = await TempManifests.create();
  });
  after(async () => {
    await tmp.remove();
  });

  it('reads one reference per line, skipping comments and blank lines', async () => {
    const file = await tmp.write(
      'release-1.2.txt',
      lines(
        '# images for release 1.2', // 1
        '', // 2
        'registry.k8s.io/pause:3.10', // 3
        '   quay.io/coreos/etcd:v3.5.15   # trailing comment', // 4
        `ghcr.io/org/app@${digest}`, // 5
        '\t', // 6
        'nginx', // 7
        '[::1]:5000/team/app:v1', // 8
        'localhost:5000/team/app:v1', // 9
      ),
    );
    const set = await loadImageSets([file]);
    expect(set.name).to.equal('release-1.2');
    expect(set.version).to.equal('unversioned');
    expect(set.platforms).to.equal(undefined);
    expect(set.files).to.deep.equal([file]);
    expect(set.images.map((e) => formatReference(e.ref))).to.deep.equal([
      'registry.k8s.io/pause:3.10',
      'quay.io/coreos/etcd:v3.5.15',
      `ghcr.io/org/app@${digest}`,
      'docker.io/library/nginx:latest',
      '[::1]:5000/team/app:v1',
      'localhost:5000/team/app:v1',
    ]);
    expect(set.images.map((e) => e.origin.line)).to.deep.equal([3, 4, 5, 7, 8, 9]);
    expect(set.images[1]?.source).to.equal('quay.io/coreos/etcd:v3.5.15');
    expect(set.images.every((e) => e.platforms === undefined)).to.equal(true);
  });

  it('takes CRLF line endings and a byte-order mark', () => {
    const set = parseImageSet('\uFEFF# list\r\nnginx:1.27\r\n\r\nredis:7\r\n', 'images');
    expect(set.name).to.equal('images');
    expect(set.images.map((e) => [e.source, e.origin.line])).to.deep.equal([
      ['nginx:1.27', 2],
      ['redis:7', 4],
    ]);
  });

  it('keeps one of each image', () => {
    const set = parseImageSet(lines('nginx:1.27', 'docker.io/library/nginx:1.27', 'redis'), 'l');
    expect(set.images.map((e) => e.source)).to.deep.equal(['nginx:1.27', 'redis']);
  });

  const errors: [string, string, number, string][] = [
    [
      'an invalid reference',
      lines('nginx:1.27', '# ok', 'Registry.k8s.io/Pause:3.10'),
      3,
      'Registry.k8s.io/Pause:3.10',
    ],
    ['two words on a line', lines('nginx:1.27', 'redis:7 extra'), 2, 'redis:7 extra'],
    ['a space before the tag', lines('nginx:1.27', '', 'nginx :1.27'), 3, 'nginx :1.27'],
    ['a URL', lines('https://registry.k8s.io/pause:3.10'), 1, 'https://registry.k8s.io/pause:3.10'],
    ['a bad digest', lines('nginx@sha256:1234'), 1, 'nginx@sha256:1234'],
  ];
  for (const [what, text, line, entry] of errors) {
    it(`reports ${what} with file, line and entry`, async () => {
      const file = await tmp.write('bad.txt', text);
      const err = await rejection(() => loadImageSets([file]));
      expect(err.code).to.equal('E_IMAGESET_INVALID');
      expect(err.message).to.contain(`${file}:${line}:`).and.to.contain(`(entry ${entry})`);
      expect((err.cause as { code?: string }).code).to.equal('E_REF_INVALID');
      expect(err.hint).to.contain('registry');
    });
  }

  const empty: [string, string][] = [
    ['an empty file', ''],
    ['a file of comments and blank lines', lines('# nothing yet', '', '   # still nothing')],
    ['a YAML file with no content', lines('---', '# empty')],
  ];
  for (const [what, text] of empty) {
    it(`rejects ${what}`, async () => {
      const file = await tmp.write('empty.txt', text);
      const err = await rejection(() => loadImageSets([file]));
      expect(err.code).to.equal('E_IMAGESET_INVALID');
      expect(err.message).to.equal(`${file}:1: the file lists no images`);
      expect(err.hint).to.contain('List at least one image');
    });
  }

  it('rejects a YAML list at the top level', async () => {
    const err = await rejection(() => parseImageSet(lines('- nginx:1.27', '- redis:7'), 'l.yaml'));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.contain('l.yaml:1:');
    expect(err.hint).to.contain('ImageSet');
  });
});
