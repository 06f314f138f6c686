import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { pushCredentials } from '../../src/cli/push-credentials.js';
import { makeImage } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { rejectionCode } from '../rig/rejection.js';
import { makeTempDir } from '../rig/temp-dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bmpack push images (command)', function () {
  this.timeout(120_000);
  let src: RunningRegistry;
  let tls: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;

  before(async () => {
    src = await startRegistry('anonymous');
    await seedImage(
      src,
      makeImage({ seed: 301, layers: 2, layerSize: 3000, format: 'oci' }),
      'cli/app:1',
    );
    work = await writeImageSet([`${src.host}/cli/app:1`]);
    bundle = (
      await createBundle({
        manifests: [work.file],
        output: join(work.dir, 'b.tar.xz'),
        cacheDir: join(work.dir, 'c'),
        insecureRegistries: [src.host],
        env: {},
      })
    ).output;
    tls = await startRegistry('htpasswd');
  });
  after(async () => {
    await work.cleanup();
    await src.stop();
    await tls.stop();
  });

  it('takes bmctl-style --need-credential=false and prints the JSON result', async () => {
    const { stdout, error } = await runCommand(
      [
        'push',
        'images',
        '--source',
        bundle,
        '--private-registry',
        `${src.host}/mirror`,
        '--plain-http',
        '--need-credential=false',
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as Record<string, number>;
    expect(Object.keys(out)).to.include.members([
      'images',
      'manifestsPushed',
      'blobsUploaded',
      'blobsSkipped',
      'blobsMounted',
      'bytesUploaded',
      'seconds',
    ]);
    expect(out.images).to.equal(1);
    expect(out.blobsUploaded).to.equal(3);
  });

  it('pushes over TLS with --cacert and --username/--password, warning about --password and never echoing it', async () => {
    const { stdout, stderr, error } = await runCommand(
      [
        'push',
        'images',
        '--source',
        bundle,
        '--private-registry',
        `${tls.host}/ns`,
        '--cacert',
        tls.caFile!,
        '--username',
        tls.username!,
        '--password',
        tls.password!,
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    expect((JSON.parse(stdout) as { images: number }).images).to.equal(1);
    expect(stderr).to.contain('--password-stdin');
    expect(stdout + stderr).to.not.contain(tls.password!);
  });

  it('fails clearly without a terminal and without credentials', async () => {
    const homeDir = await makeTempDir('bmpack-home-');
    const home = homeDir.path;
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = home;
    try {
      const code = await rejectionCode(
        pushCredentials(
          tls.host,
          { 'need-credential': true },
          {
            interactive: false,
            io: { input: new PassThrough(), output: new PassThrough() },
            stdin: new PassThrough(),
          },
        ),
      );
      expect(code).to.equal('E_CREDENTIALS_MISSING');
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, 'DOCKER_CONFIG');
      else process.env.DOCKER_CONFIG = saved;
      await homeDir.stop();
    }
  });

  it('uses the Docker config entry for the host when there is no terminal', async () => {
    const homeDir = await makeTempDir('bmpack-home-');
    const home = homeDir.path;
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = home;
    try {
      const auth = Buffer.from(`${tls.username!}:${tls.password!}`).toString('base64');
      await writeFile(
        join(home, 'config.json'),
        JSON.stringify({ auths: { [tls.host]: { auth } } }),
      );
      const creds = await pushCredentials(
        tls.host,
        { 'need-credential': true },
        {
          interactive: false,
          io: { input: new PassThrough(), output: new PassThrough() },
          stdin: new PassThrough(),
        },
      );
      expect((await creds.credentials?.get(tls.host))?.username).to.equal(tls.username);
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, 'DOCKER_CONFIG');
      else process.env.DOCKER_CONFIG = saved;
      await homeDir.stop();
    }
  });
});
