import { expect } from 'chai';
import { formatImageLocation, parseImageLocation } from '../../src/reference/index.js';
import { thrownCode } from '../rig/rejection.js';

describe('image locations (skopeo transport syntax)', () => {
  it('reads docker://, oci:DIR[:NAME] and bundle:FILE[:NAME]; the name may hold ":"', () => {
    expect(parseImageLocation('docker://gcr.io/x/y:1')).to.deep.equal({
      transport: 'docker',
      reference: 'gcr.io/x/y:1',
    });
    expect(parseImageLocation('oci:./out')).to.deep.equal({ transport: 'oci', path: './out' });
    expect(parseImageLocation('oci:/l:docker.io/library/nginx:1.25')).to.deep.equal({
      transport: 'oci',
      path: '/l',
      name: 'docker.io/library/nginx:1.25',
    });
    expect(parseImageLocation('bundle:b.tar.xz:app:1')).to.deep.equal({
      transport: 'bundle',
      path: 'b.tar.xz',
      name: 'app:1',
    });
  });

  it('writes them back as given', () => {
    for (const text of ['docker://h:5000/a:1', 'oci:/d', 'oci:/d:n', 'bundle:f.tar:n:2'])
      expect(formatImageLocation(parseImageLocation(text))).to.equal(text);
  });

  it('refuses a missing transport, path or name: E_USAGE', () => {
    for (const text of ['gcr.io/x:1', 'docker://', 'oci:', 'oci::x', 'oci:/d:', 'dir:/x'])
      expect(
        thrownCode(() => parseImageLocation(text)),
        text,
      ).to.equal('E_USAGE');
  });
});
