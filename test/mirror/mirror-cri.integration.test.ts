import { join } from 'node:path';
import { expect } from 'chai';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import { makeImage } from '../rig/image-generator.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { imageDigests, startContainerd } from './containerd-rig.js';
import { criImages } from './cri-client.js';
import { writeDockerLogin } from './mirror-kit.js';

/**
 * kubelet's path: containerd 1.6 started with the config fragment that
 * `mirror config --runtime containerd` writes (listed in `imports`, as a
 * node would), asked over the CRI ImageService for the public name. The
 * CRI plugin must find the hosts.toml through config_path, trust the CA
 * copied into the tree, and log in with the fragment's registry.configs
 * auth: the mirror is TLS with htpasswd, and PullImage carries no login.
 */
describe('mirror: the CRI plugin pulls through the generated containerd tree (PullImage, as kubelet)', function () {
  this.timeout(180_000);
  let work: TrackedDir;

  before(async () => {
    work = await makeTempDir('bmpack-mirror-cri-');
  });
  after(async () => {
    await work.stop();
  });

  it('pulls docker.io/library/nginx:1.0 from a TLS, htpasswd, namespaced mirror', async () => {
    const reg = await startRegistry('htpasswd');
    try {
      const image = makeImage({ seed: 1801, layers: 2, layerSize: 2000, format: 'oci' });
      await seedImage(reg, image, 'ns/library/nginx:1.0');
      const dockerConfig = await writeDockerLogin(work.path, reg);
      const tree = join(work.path, 'tree');
      const result = await mirrorRuntimeConfig({
        privateRegistry: `${reg.host}/ns`,
        runtime: 'containerd',
        hosts: ['docker.io'],
        caCert: reg.caFile!,
        pullCredentialConfig: dockerConfig,
        output: tree,
        nodeRoot: tree,
      });
      expect(result.tree.filter((t) => t.secret).map((t) => t.path)).to.deep.equal([
        'etc/containerd/conf.d/bmpack-mirror.toml',
      ]);
      const containerd = await startContainerd({
        cri: true,
        imports: [join(tree, 'etc/containerd/conf.d/bmpack-mirror.toml')],
        extraConfig: '[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "native"\n',
      });
      const cri = criImages(containerd.address);
      try {
        const imageRef = await cri.pull('docker.io/library/nginx:1.0');
        expect(imageRef).to.equal(image.configDigest);
        const k8s = await containerd.ctr(['--namespace', 'k8s.io', 'images', 'ls']);
        expect(k8s).to.contain('docker.io/library/nginx:1.0');
        const digests = await imageDigests({
          ...containerd,
          ctr: (args, o) => containerd.ctr(['--namespace', 'k8s.io', ...args], o),
        });
        expect(digests.get('docker.io/library/nginx:1.0')).to.equal(image.manifestDigest);
      } finally {
        cri.close();
        await containerd.stop();
      }
    } finally {
      await reg.stop();
    }
  });
});
