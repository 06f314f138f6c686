/**
 * The single executable (`npm run package` → dist/bmpack) runs on its own:
 * from an empty folder, with an empty environment and no node on PATH, it
 * shows its version, help and shell completion setup, and makes, inspects,
 * verifies (on worker processes, which are the executable itself) and
 * pushes a bundle.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { repoRoot as root, runCli, type CliRun } from '../rig/cli.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';

const executable = join(root, 'dist', 'bmpack');

describe('bmpack single executable (npm run package)', function () {
  this.timeout(300_000);
  let empty: TrackedDir;
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;

  /** Runs dist/bmpack in the empty folder with nothing in its environment but PATH=/nonexistent. */
  const bmpack = async (...args: string[]): Promise<CliRun> => {
    const run = await runCli(args, {
      launcher: [executable],
      cwd: empty.path,
      env: { PATH: '/nonexistent', BMPACK_CACHE_DIR: join(work.dir, 'cache') },
      inheritEnv: false,
    });
    expect(run.code, `${run.argv}:\n${run.stderr}`).to.equal(0);
    return run;
  };

  before(async () => {
    // What `npm run package` runs.
    await runTool(process.execPath, [join(root, 'bin', 'package.js')], {
      cwd: root,
      timeoutMs: 300_000,
    });
    empty = await makeTempDir('bmpack-sea-');
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg, 3_000_000);
    work = await writeImageSet(release.images.map((i) => i.ref));
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
    await empty.stop();
  });

  it('prints its version', async () => {
    const { stdout, stderr } = await bmpack('--version');
    expect(stdout).to.match(/^bmpack\/\d+\.\d+\.\d+ linux-x64 node-v/);
    expect(stderr).to.equal('');
  });

  it('prints help with every topic, and a command’s help with its examples', async () => {
    const top = await bmpack('--help');
    for (const topic of ['bundle', 'image', 'mirror', 'push']) expect(top.stdout).to.contain(topic);
    expect(top.stderr).to.equal('');
    const push = await bmpack('push', 'images', '--help');
    expect(push.stdout).to.contain('--private-registry').and.contain('EXAMPLES');
  });

  it('prints shell completion setup, and the completion cache is made', async () => {
    const { stdout } = await bmpack('autocomplete', 'bash');
    expect(stdout).to.contain('Setup Instructions for BMPACK CLI Autocomplete');
    expect(stdout).to.contain('bmpack autocomplete script bash');
    const script = await bmpack('autocomplete', 'script', 'bash');
    expect(script.stdout).to.contain(join(work.dir, 'cache', 'autocomplete', 'bash_setup'));
  });

  it('creates, inspects, verifies on worker processes, and pushes a bundle', async () => {
    const bundle = join(work.dir, 'bmpackages_1.0.0.tar.xz');
    const create = ['--manifest', work.file, '--insecure-registry', reg.host, '--output', bundle];
    expect((await bmpack('bundle', 'create', ...create)).stderr).not.to.contain('Warning');

    const inspect = await bmpack('bundle', 'inspect', bundle);
    expect(inspect.stdout).to.contain('bmpack bundle test-release 1.0.0');
    for (const img of release.images) expect(inspect.stdout).to.contain(img.ref);

    const verify = await bmpack('bundle', 'verify', bundle, '--workers', '2', '--json');
    expect(JSON.parse(verify.stdout)).to.include({ workers: 2 });
    // dist/bmpack.cjs, the executable's script, works under node too.
    const launcher = [process.execPath, join(root, 'dist', 'bmpack.cjs')];
    const viaNode = await runCli(['bundle', 'verify', bundle, '--workers', '2'], { launcher });
    expect(viaNode.stdout, viaNode.stderr).to.contain('2 workers');

    const target = `${reg.host}/mirror`;
    const push = ['--source', bundle, '--private-registry', target, '--plain-http'];
    const first = await bmpack('push', 'images', ...push, '--need-credential=false', '--json');
    expect(JSON.parse(first.stdout)).to.include({ images: release.images.length });
    const again = await bmpack('push', 'images', ...push, '--need-credential=false', '--json');
    expect(JSON.parse(again.stdout)).to.include({ blobsUploaded: 0, manifestsPushed: 0 });
  });
});
