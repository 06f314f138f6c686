import { expect } from 'chai';
import { join } from 'node:path';
import { loadImageSets } from '../../src/image-set/index.js';
import { formatPlatform } from '../../src/oci/platform.js';
import { formatReference } from '../../src/reference/index.js';
import { lines, TempManifests } from './temp-manifests.js';
import { rejection } from '../rig/rejection.js';

function imageSet(
  name: string,
  version: string,
  platforms: string | undefined,
  ...images: string[]
): string {
  return lines(
    'apiVersion: bmpack.io/v1', // 1
    'kind: ImageSet', // 2
    'metadata:', // 3
    `  name: ${name}`, // 4
    `  version: "${version}"`, // 5
    'spec:', // 6
    platforms === undefined ? '  # no default platforms' : `  platforms: [${platforms}]`, // 7
    '  images:', // 8
    ...images.map((i) => `    - ${i}`), // 9…
  );
}

const summary = (
  set: Awaited<ReturnType<typeof loadImageSets>>,
): [string, string[] | undefined][] =>
  set.images.map((e) => [formatReference(e.ref), e.platforms?.map(formatPlatform)]);

describe('ImageSet loading and merging', () => {
  let tmp: TempManifests;
  before(async () => {
    tmp = await TempManifests.create();
  });
  after(async () => {
    await tmp.remove();
  });

  it('reports a missing file as E_IO naming it', async () => {
    const missing = join(tmp.dir, 'nope.yaml');
    const err = await rejection(() => loadImageSets([missing]));
    expect(err.code).to.equal('E_IO');
    expect(err.message).to.contain(missing);
    expect(err.reason).to.equal('image-list-unreadable');
    expect((err.cause as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });

  it('reports a directory as E_IO naming it', async () => {
    const err = await rejection(() => loadImageSets([tmp.dir]));
    expect(err.code).to.equal('E_IO');
    expect(err.message).to.contain(tmp.dir);
    expect(err.cause).to.be.instanceOf(Error);
  });

  it('rejects an empty list of files', async () => {
    const err = await rejection(() => loadImageSets([]));
    expect(err.code).to.equal('E_USAGE');
  });

  it('merges files in order and keeps each image once with the union of its platforms', async () => {
    const a = await tmp.write(
      'a.yaml',
      imageSet(
        'base',
        '2.0.0',
        'linux/amd64',
        'nginx:1.27',
        '{ ref: redis:7, platforms: [linux/arm64] }',
        'busybox:1',
      ),
    );
    const b = await tmp.write(
      'b.yaml',
      imageSet(
        'addon',
        '2.0.0',
        'linux/amd64',
        'docker.io/library/redis:7',
        '{ ref: docker.io/library/nginx:1.27, platforms: [linux/arm/v7] }',
        '{ ref: index.docker.io/library/redis:7, platforms: [linux/arm64/v8, linux/s390x] }',
        'alpine:3.20',
      ),
    );
    const set = await loadImageSets([a, b]);
    expect(set.name).to.equal('base');
    expect(set.version).to.equal('2.0.0');
    expect(set.files).to.deep.equal([a, b]);
    expect(set.platforms?.map(formatPlatform)).to.deep.equal(['linux/amd64']);
    expect(summary(set)).to.deep.equal([
      // Listed without platforms (the default, amd64) and with arm/v7.
      ['docker.io/library/nginx:1.27', ['linux/amd64', 'linux/arm/v7']],
      // arm64; the default (amd64); arm64 again and s390x.
      ['docker.io/library/redis:7', ['linux/arm64', 'linux/amd64', 'linux/s390x']],
      ['docker.io/library/busybox:1', undefined],
      ['docker.io/library/alpine:3.20', undefined],
    ]);
    // The first occurrence is the one that is kept.
    expect(set.images[0]?.source).to.equal('nginx:1.27');
    expect(set.images[0]?.origin).to.deep.equal({ file: a, line: 9 });
  });

  it('counts index.docker.io and docker.io as one registry, as docker does', async () => {
    const a = await tmp.write('plain.txt', lines('index.docker.io/library/redis:7', 'redis:7'));
    const set = await loadImageSets([a]);
    expect(summary(set)).to.deep.equal([['docker.io/library/redis:7', undefined]]);
    expect(set.images[0]?.source).to.equal('index.docker.io/library/redis:7');
  });

  it('takes name and version from the first ImageSet, not the first file', async () => {
    const plain = await tmp.write('extra-images.txt', lines('nginx:1.27'));
    const set1 = await tmp.write('one.yaml', imageSet('release', '3.1.4', undefined, 'redis:7'));
    const set2 = await tmp.write('two.yaml', imageSet('other', '3.1.4', undefined, 'redis:7'));
    const set = await loadImageSets([plain, set1, set2]);
    expect([set.name, set.version]).to.deep.equal(['release', '3.1.4']);
    expect(summary(set).map(([r]) => r)).to.deep.equal([
      'docker.io/library/nginx:1.27',
      'docker.io/library/redis:7',
    ]);
  });

  it('takes name and version from the first file when no file is an ImageSet', async () => {
    const sync = await tmp.write(
      'sync.yaml',
      lines('quay.io:', '  images:', '    coreos/etcd: [v3.5.15]'),
    );
    const plain = await tmp.write('list.txt', lines('nginx:1.27'));
    const set = await loadImageSets([sync, plain]);
    expect([set.name, set.version]).to.deep.equal(['sync', 'unversioned']);
    expect(set.platforms).to.equal(undefined);
    expect(set.images).to.have.length(2);
  });

  it('rejects two ImageSets with different versions, naming both files', async () => {
    const a = await tmp.write('v1.yaml', imageSet('x', '1.0.0', undefined, 'nginx'));
    const plain = await tmp.write('between.txt', lines('redis'));
    const b = await tmp.write('v2.yaml', imageSet('x', '1.0.1', undefined, 'nginx'));
    const err = await rejection(() => loadImageSets([a, plain, b]));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.contain(`${b}:5:`).and.to.contain(`${a}:5`);
    expect(err.message).to.contain('"1.0.1"').and.to.contain('"1.0.0"');
    expect(err.hint).to.contain('metadata.version');
  });

  it('takes the default platforms from the first file that has them', async () => {
    const plain = await tmp.write('p.txt', lines('nginx:1.27'));
    const none = await tmp.write('none.yaml', imageSet('x', '1', undefined, 'redis:7'));
    const arm = await tmp.write(
      'arm.yaml',
      imageSet('x', '1', 'linux/arm64, linux/amd64', 'busybox:1'),
    );
    const set = await loadImageSets([plain, none, arm]);
    expect(set.platforms?.map(formatPlatform)).to.deep.equal(['linux/arm64', 'linux/amd64']);
    expect(summary(set).every(([, p]) => p === undefined)).to.equal(true);
  });

  it("keeps a later file's own default as entry-level platforms", async () => {
    const amd = await tmp.write(
      'amd.yaml',
      imageSet('x', '1', 'linux/amd64', 'nginx:1.27', 'redis:7'),
    );
    const arm = await tmp.write(
      'arm.yaml',
      imageSet(
        'x',
        '1',
        'linux/arm64',
        'busybox:1',
        'redis:7',
        '{ ref: alpine:3, platforms: [linux/s390x] }',
      ),
    );
    const same = await tmp.write('same.yaml', imageSet('x', '1', 'linux/amd64', 'debian:12'));
    const set = await loadImageSets([amd, arm, same]);
    expect(set.platforms?.map(formatPlatform)).to.deep.equal(['linux/amd64']);
    expect(summary(set)).to.deep.equal([
      ['docker.io/library/nginx:1.27', undefined],
      ['docker.io/library/redis:7', ['linux/amd64', 'linux/arm64']],
      ['docker.io/library/busybox:1', ['linux/arm64']],
      ['docker.io/library/alpine:3', ['linux/s390x']],
      ['docker.io/library/debian:12', undefined],
    ]);
  });

  it('lets the default win, with a warning, when an image is listed with and without platforms and no default exists', async () => {
    const a = await tmp.write('a.txt', lines('nginx:1.27'));
    const b = await tmp.write(
      'b.yaml',
      imageSet('x', '1', undefined, 'redis', '{ ref: nginx:1.27, platforms: [linux/arm64] }'),
    );
    const set = await loadImageSets([a, b]);
    expect(summary(set)).to.deep.equal([
      ['docker.io/library/nginx:1.27', undefined],
      ['docker.io/library/redis:latest', undefined],
    ]);
    expect(set.warnings).to.have.length(1);
    expect(set.warnings[0]).to.contain(`${b}:10:`).and.to.contain(`${a}:1`);
  });

  it('collects the warnings of every file', async () => {
    const a = await tmp.write(
      'a.yaml',
      lines('r.io:', '  tls-verify: false', '  images:', '    x: [v1]'),
    );
    const b = await tmp.write(
      'b.yaml',
      lines('q.io:', '  cert-dir: /certs', '  images:', '    y: [v1]'),
    );
    const set = await loadImageSets([a, b]);
    expect(set.warnings).to.have.length(2);
    expect(set.warnings[0]).to.contain(`${a}:2:`);
    expect(set.warnings[1]).to.contain(`${b}:2:`);
  });

  it('stops at the first bad file', async () => {
    const good = await tmp.write('good.txt', lines('nginx'));
    const bad = await tmp.write('bad.txt', lines('nginx', 'NGINX'));
    const err = await rejection(() => loadImageSets([good, bad, join(tmp.dir, 'missing')]));
    expect(err.code).to.equal('E_IMAGESET_INVALID');
    expect(err.message).to.contain(`${bad}:2:`);
  });
});
