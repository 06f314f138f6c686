import { expect } from 'chai';
import { copyRegistries, copyRequests } from '../../src/image/copy-requests.js';
import { type ListedImage } from '../../src/store/index.js';
import { parseImageLocation } from '../../src/reference/index.js';
import { thrownCode } from '../rig/rejection.js';

const d = (c: string) => ({
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 10,
});
const listed: ListedImage[] = [
  { name: 'gcr.io/team/app:1.0', descriptor: d('a') },
  { name: 'docker.io/library/nginx:1.25', descriptor: d('b') },
];
const plan = (src: string, dst: string, all = false, images = listed) =>
  copyRequests(parseImageLocation(src), parseImageLocation(dst), images, { all });

describe('image copy: which images go where', () => {
  it('a registry image goes to the reference given, by tag', () => {
    const p = plan('docker://gcr.io/team/app:1.0', 'docker://10.0.0.5:5000/m/app:2');
    expect(p.registry).to.equal('10.0.0.5:5000');
    expect(p.requests.map((r) => [r.name, r.to])).to.deep.equal([
      ['10.0.0.5:5000/m/app:2', { repository: 'm/app', tag: '2' }],
    ]);
    expect(p.requests[0]?.top).to.equal(undefined);
  });

  it('a layout keeps the image’s full reference as its name, or the name given', () => {
    expect(plan('docker://gcr.io/team/app:1.0', 'oci:/l').requests[0]?.to).to.deep.equal({
      repository: 'gcr.io/team/app',
      tag: '1.0',
    });
    expect(plan('docker://gcr.io/team/app:1.0', 'oci:/l:v1').requests[0]?.to).to.deep.equal({
      repository: '',
      tag: 'v1',
    });
  });

  it('a bundle image is found by its name or as a reference; --all maps every image under a namespace', () => {
    const named = plan('bundle:b.tar.xz:nginx:1.25', 'docker://h:5000/x/nginx:1');
    expect(named.requests[0]?.top?.digest).to.equal(d('b').digest);
    const all = plan('bundle:b.tar.xz', 'docker://h:5000/mirror', true);
    expect(all.requests.map((r) => r.name)).to.deep.equal([
      'h:5000/mirror/team/app:1.0',
      'h:5000/mirror/library/nginx:1.25',
    ]);
  });

  it('takes the only image of a source without asking for its name', () => {
    const p = plan('oci:/l', 'docker://h:5000/a:1', false, listed.slice(0, 1));
    expect(p.requests[0]?.sourceName).to.equal('gcr.io/team/app:1.0');
  });

  it('refuses what cannot be meant: E_USAGE or E_NOT_FOUND before anything is opened for writing', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => plan('oci:/l', 'docker://h:5000/a:1'), 'E_USAGE'],
      [() => plan('oci:/l:missing', 'docker://h:5000/a:1'), 'E_NOT_FOUND'],
      [() => plan('docker://gcr.io/a:1', 'bundle:x.tar'), 'E_USAGE'],
      [() => plan('docker://gcr.io/a:1', 'docker://h:5000/a', true), 'E_USAGE'],
      [() => plan('docker://gcr.io/a@' + d('c').digest, 'oci:/l'), 'E_USAGE'],
      [() => plan('bundle:b.tar.xz', 'oci:/l:one', true), 'E_USAGE'],
      [() => plan('oci:/l:gcr.io/team/app:1.0', 'docker://h:5000/x', true), 'E_USAGE'],
    ];
    for (const [fn, code] of cases) expect(thrownCode(fn)).to.equal(code);
  });

  it('names the registries it talks to, for their settings', () => {
    const loc = parseImageLocation;
    expect(copyRegistries(loc('docker://a:1/x:1'), loc('docker://b:2/y:1'), false)).to.deep.equal({
      source: 'a:1',
      destination: 'b:2',
    });
    expect(copyRegistries(loc('bundle:f'), loc('docker://b:2/ns'), true)).to.deep.equal({
      destination: 'b:2',
    });
  });
});
