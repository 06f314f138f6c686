import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { pushImages } from '../../src/push/push-images.js';
import { parseReference } from '../../src/reference/index.js';
import { clientFor } from '../rig/registry-client.js';
import { runSkopeo } from '../bundle-reader/archive-kit.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { requireTool } from '../rig/tools.js';

describe('push images from foreign bundles', function () {
  this.timeout(180_000);
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let work: TrackedDir;
  const image = makeImage({ seed: 401, layers: 2, layerSize: 20_000, format: 'oci' });

  before(async () => {
    src = await startRegistry('anonymous');
    dst = await startRegistry('anonymous');
    await seedImage(src, image, 'team/app:1.2');
    work = await makeTempDir('bmpack-foreign-');
  });
  after(async () => {
    await work.stop();
    await src.stop();
    await dst.stop();
  });

  async function digestAt(ref: string): Promise<string | undefined> {
    const client = clientFor(dst);
    try {
      return (await client.headManifest(parseReference(`${dst.host}/${ref}`)))?.digest;
    } finally {
      await client.close();
    }
  }

  for (const [label, refName, packer] of [
    ['a skopeo OCI layout, tar | xz, named by full reference', 'docker.io/team/app:1.2', 'xz'],
    ['a skopeo OCI layout, tar | xz -T2 multi-block, named path:tag', 'team/app:1.2', 'xz-mt'],
    ['a skopeo OCI layout in a plain tar, named by a bare tag', '1.2', 'tar'],
  ] as const) {
    it(`pushes ${label}`, async () => {
      const layout = join(work.path, `layout-${packer}`);
      await mkdir(layout);
      await runSkopeo(work.path, [
        'copy',
        '--src-tls-verify=false',
        `docker://${src.host}/team/app:1.2`,
        `oci:${layout}:${refName}`,
      ]);
      const tarFile = join(work.path, `team-app-${packer}.tar`);
      await runTool(requireTool('tar', 'tar'), ['-cf', tarFile, '-C', layout, '.']);
      let bundle = tarFile;
      if (packer !== 'tar') {
        const args =
          packer === 'xz-mt' ? ['-T2', '--block-size=16KiB', '-0', '-k', tarFile] : ['-k', tarFile];
        await runTool(requireTool('xz', 'xz-utils'), args);
        bundle = `${tarFile}.xz`;
      }
      const result = await pushImages({
        source: bundle,
        privateRegistry: `${dst.host}/${packer}`,
        host: { plainHttp: true },
      });
      expect(result.images).to.equal(1);
      const target =
        packer === 'tar' ? `${packer}/library/team-app-tar:1.2` : `${packer}/team/app:1.2`;
      expect(await digestAt(target)).to.equal(image.manifestDigest);
    });
  }

  it('pushes a docker-archive made by skopeo, layers and config intact', async () => {
    const archive = join(work.path, 'app.docker.tar');
    await runSkopeo(work.path, [
      'copy',
      '--src-tls-verify=false',
      `docker://${src.host}/team/app:1.2`,
      `docker-archive:${archive}:team/app:1.2`,
    ]);
    const result = await pushImages({
      source: archive,
      privateRegistry: `${dst.host}/docker`,
      host: { plainHttp: true },
    });
    expect(result.images).to.equal(1);
    const raw = await runTool(requireTool('skopeo', 'skopeo'), [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${dst.host}/docker/team/app:1.2`,
    ]);
    const manifest = JSON.parse(raw.toString()) as { config: { digest: string } };
    const config = JSON.parse(image.config.toString()) as { rootfs: { diff_ids: string[] } };
    const pushedConfig = await runTool(requireTool('skopeo', 'skopeo'), [
      'inspect',
      '--config',
      '--raw',
      '--tls-verify=false',
      `docker://${dst.host}/docker/team/app:1.2`,
    ]);
    expect(
      (JSON.parse(pushedConfig.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids,
    ).to.deep.equal(config.rootfs.diff_ids);
    expect(manifest.config.digest).to.match(/^sha256:/);
  });
});
