import { expect } from 'chai';
import { parsePrivateRegistry } from '../../src/push/private-registry.js';
import { mapImages } from '../../src/push/target-mapping.js';
import { formatReference, listedReference } from '../../src/reference/index.js';
import { thrown, thrownCode } from '../rig/rejection.js';

const desc = (c: string) => ({
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 10,
});

describe('push target mapping', () => {
  it('parses --private-registry HOST[:PORT][/NAMESPACE]', () => {
    expect(parsePrivateRegistry('10.0.0.5:5000')).to.deep.equal({
      registry: '10.0.0.5:5000',
      namespace: '',
    });
    expect(parsePrivateRegistry('172.18.0.20:5000/test-namespace')).to.deep.equal({
      registry: '172.18.0.20:5000',
      namespace: 'test-namespace',
    });
    expect(parsePrivateRegistry('reg.local/a/b/')).to.deep.equal({
      registry: 'reg.local',
      namespace: 'a/b',
    });
    for (const bad of [
      'https://10.0.0.5:5000',
      '10.0.0.5:99999',
      'reg:5000/Upper',
      'reg:5000//x',
      '',
      'a b',
    ]) {
      expect(
        thrownCode(() => parsePrivateRegistry(bad)),
        bad,
      ).to.equal('E_USAGE');
    }
  });

  it('drops the source registry, keeps the path and library/, and prefixes the namespace', () => {
    const to = parsePrivateRegistry('10.0.0.5:5000/mirror');
    const { images } = mapImages(
      [
        { name: 'gcr.io/kubernetes-e2e-test-images/nautilus:1.0', descriptor: desc('a') },
        { name: 'nginx:1.27', descriptor: desc('b') },
        { name: 'quay.io/coreos/etcd@sha256:' + 'c'.repeat(64), descriptor: desc('c') },
      ],
      to,
      'fallback',
    );
    expect(images.map((i) => formatReference(i.target))).to.deep.equal([
      '10.0.0.5:5000/mirror/kubernetes-e2e-test-images/nautilus:1.0',
      '10.0.0.5:5000/mirror/library/nginx:1.27',
      `10.0.0.5:5000/mirror/coreos/etcd@sha256:${'c'.repeat(64)}`,
    ]);
  });

  it('reads a bare tag as a tag of the fallback repository, with a warning', () => {
    expect(listedReference('1.25', 'nginx').bareTag).to.equal(true);
    expect(formatReference(listedReference('1.25', 'nginx').ref)).to.equal(
      'docker.io/library/nginx:1.25',
    );
    expect(listedReference('library/nginx:1.25', 'x').bareTag).to.equal(false);
    const { warnings } = mapImages(
      [{ name: 'v1', descriptor: desc('a') }],
      parsePrivateRegistry('h:5000'),
      'app',
    );
    expect(warnings[0]).to.contain('app:v1');
  });

  it('fails before pushing when two images would land on one tag with different content, naming both', () => {
    const to = parsePrivateRegistry('h:5000');
    const err = thrown(() =>
      mapImages(
        [
          { name: 'gcr.io/x/app:1', descriptor: desc('a') },
          { name: 'quay.io/x/app:1', descriptor: desc('b') },
        ],
        to,
        'f',
      ),
    );
    expect(err.code).to.equal('E_TARGET_CONFLICT');
    expect(err.message).to.contain('gcr.io/x/app:1').and.contain('quay.io/x/app:1');
  });

  it('pushes the same content listed twice once', () => {
    const { images } = mapImages(
      [
        { name: 'gcr.io/x/app:1', descriptor: desc('a') },
        { name: 'quay.io/x/app:1', descriptor: desc('a') },
      ],
      parsePrivateRegistry('h:5000'),
      'f',
    );
    expect(images).to.have.length(1);
  });
});
