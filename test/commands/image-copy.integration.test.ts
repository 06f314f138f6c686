import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bmpack image copy', function () {
  this.timeout(120_000);
  let from: RunningRegistry;
  let to: RunningRegistry;
  const amd = makeImage({ seed: 61, layers: 2, layerSize: 2000, format: 'oci' });
  const arm = makeImage({
    seed: 62,
    layers: 1,
    layerSize: 2000,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const index = makeIndex([amd, arm], 'oci');

  before(async () => {
    [from, to] = await Promise.all([startRegistry('anonymous'), startRegistry('htpasswd')]);
    await seedImage(from, index, 'cli/multi:1');
  });
  after(async () => {
    await Promise.all([from.stop(), to.stop()]);
  });

  const copyArgs = (): string[] => [
    'image',
    'copy',
    `docker://${from.host}/cli/multi:1`,
    `docker://${to.host}/mirror/multi:1`,
    '--src-plain-http',
    '--cacert',
    to.caFile!,
    '--username',
    to.username!,
    '--password',
    to.password!,
    '--json',
  ];

  it('copies from a plain-HTTP registry into a TLS one with credentials, as JSON naming the digest; again, it sends nothing', async () => {
    const { stdout, error } = await runCommand(copyArgs(), { root });
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as {
      images: Array<{ name: string; digest: string }>;
      blobsUploaded: number;
    };
    expect(out.images).to.deep.equal([
      { name: `${to.host}/mirror/multi:1`, digest: index.manifestDigest },
    ]);
    expect(out.blobsUploaded).to.equal(5);
    const again = await runCommand(copyArgs(), { root });
    const second = JSON.parse(again.stdout) as { blobsUploaded: number; manifestsPushed: number };
    expect([second.blobsUploaded, second.manifestsPushed]).to.deep.equal([0, 0]);
  });

  it('refuses a location without a transport: E_USAGE, exit 2, with the forms it takes', async () => {
    const { stdout, error } = await runCommand(
      ['image', 'copy', `${from.host}/cli/multi:1`, 'oci:/tmp/x', '--json'],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(2);
    const out = JSON.parse(stdout) as { error: { code: string; message: string; hint: string } };
    expect(out.error.code).to.equal('E_USAGE');
    expect(out.error.message).to.contain('names no transport');
    expect(out.error.hint).to.contain('oci:DIR[:NAME]');
  });
});
