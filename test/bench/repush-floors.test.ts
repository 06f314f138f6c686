import { expect } from 'chai';
import { repushPaths } from '../../bench/repush-floors.js';

describe('bench: re-push floor requests', () => {
  it('asks the ping, then each tag under the target prefix, as skopeo and bmpack name them', () => {
    const refs = ['127.0.0.1:5000/scale/app-000:1', '127.0.0.1:5000/scale/base/os:v1.2'];
    expect(repushPaths(refs, '127.0.0.1:5000', 'mirror/')).to.deep.equal([
      '/v2/',
      '/v2/mirror/scale/app-000/manifests/1',
      '/v2/mirror/scale/base/os/manifests/v1.2',
    ]);
  });
});
