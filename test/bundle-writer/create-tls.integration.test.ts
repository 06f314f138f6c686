/**
 * bundle create against a registry with a private CA and credentials
 * (issue 14, item 6, in part): --cacert FILE for every source registry or
 * HOST=FILE for one, credentials from a Docker config; without the CA the
 * TLS failure is E_TLS (exit 8), naming the flag.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { repoRoot as root } from '../rig/cli.js';
import { makeImage } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';

describe('bmpack bundle create from a TLS registry with credentials', function () {
  this.timeout(120_000);
  let reg: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let dockerConfig: string;
  const image = makeImage({ seed: 91, layers: 1, layerSize: 4000, format: 'oci' });

  before(async () => {
    reg = await startRegistry('htpasswd');
    await seedImage(reg, image, 'secure/app:1');
    work = await writeImageSet([`${reg.host}/secure/app:1`]);
    dockerConfig = join(work.dir, 'config.json');
    const auth = Buffer.from(`${reg.username!}:${reg.password!}`).toString('base64');
    await writeFile(dockerConfig, JSON.stringify({ auths: { [reg.host]: { auth } } }));
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
  });

  const create = (name: string, ...extra: string[]) =>
    runCommand(
      [
        'bundle',
        'create',
        '--manifest',
        work.file,
        '--docker-config',
        dockerConfig,
        '--cache-dir',
        join(work.dir, `cache-${name}`),
        '--output',
        join(work.dir, `${name}.tar.xz`),
        '--json',
        ...extra,
      ],
      { root },
    );

  it('trusts --cacert FILE for every registry and --cacert HOST=FILE for one', async () => {
    for (const [name, value] of [
      ['all', reg.caFile!],
      ['one', `${reg.host}=${reg.caFile!}`],
    ] as const) {
      const { stdout, error } = await create(name, '--cacert', value);
      expect(error, name).to.equal(undefined);
      expect((JSON.parse(stdout) as { images: number }).images).to.equal(1);
    }
  });

  it('fails with E_TLS (exit 8) without the CA, and refuses a malformed --cacert as E_USAGE', async () => {
    const untrusted = await create('untrusted');
    expect(untrusted.error?.oclif?.exit).to.equal(8);
    expect(untrusted.stdout).to.contain('E_TLS').and.contain('--cacert');
    const malformed = await create('malformed', '--cacert', `${reg.host}=`);
    expect(malformed.error?.oclif?.exit).to.equal(2);
    expect(malformed.stdout).to.contain('E_USAGE');
  });
});
