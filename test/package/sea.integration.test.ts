/**
 * The single executables (`npm run package` → dist/bmpack-linux-x64 and
 * dist/bmpack-linux-arm64, on Node 24 LTS, with dist/SHA256SUMS). The x64
 * one runs on its own: from an empty folder, with an empty environment and
 * a PATH of the tools a site's machine has (xz, tar) but no node, it names
 * the Node it embeds, shows help and shell completion setup, and makes,
 * inspects, verifies (on worker processes, which are the executable
 * itself) and pushes a bundle, and writes mirror configuration. Both carry
 * the SEA blob (postject flipped Node's fuse, and dist/bmpack.cjs is inside);
 * the arm64 one is an aarch64 executable that runs under qemu's user-mode
 * emulation (Debian qemu-user, with the arm64 C and C++ libraries of the
 * cross toolchain packages).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { repoRoot as root, runCli, type CliRun } from '../rig/cli.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';

const executable = join(root, 'dist', 'bmpack-linux-x64');
const arm64 = join(root, 'dist', 'bmpack-linux-arm64');
const nodeVersion = readFileSync(join(root, '.node-version'), 'utf8').trim();
/** Node's single-executable fuse: `:0` in node as shipped, `:1` once postject injected a blob. */
const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

describe('bmpack single executable (npm run package)', function () {
  this.timeout(300_000);
  let empty: TrackedDir;
  /** The only folder on PATH: symlinks to xz and tar, no node. */
  let tools: TrackedDir;
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;

  /** Runs dist/bmpack-linux-x64 in the empty folder, its environment only PATH (no node) and the cache. */
  const bmpack = async (...args: string[]): Promise<CliRun> => {
    const run = await runCli(args, {
      launcher: [executable],
      cwd: empty.path,
      env: { PATH: tools.path, BMPACK_CACHE_DIR: join(work.dir, 'cache') },
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
    tools = await makeTempDir('bmpack-sea-path-');
    await symlink(requireTool('xz', 'xz-utils'), join(tools.path, 'xz'));
    await symlink(requireTool('tar', 'tar'), join(tools.path, 'tar'));
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg, 3_000_000);
    work = await writeImageSet(release.images.map((i) => i.ref));
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
    await empty.stop();
    await tools.stop();
  });

  it('runs with a PATH that holds no node', () => {
    expect(readdirSync(tools.path).sort()).to.deep.equal(['tar', 'xz']);
    expect(existsSync(join(tools.path, 'node'))).to.equal(false);
  });

  it('prints its version, naming the Node 24 it embeds', async () => {
    const { stdout, stderr } = await bmpack('--version');
    expect(stdout.trim()).to.match(
      new RegExp(`^bmpack/\\d+\\.\\d+\\.\\d+ linux-x64 node-v${nodeVersion}$`),
    );
    expect(nodeVersion).to.match(/^24\./);
    expect(stderr).to.equal('');
  });

  it('lists both executables in SHA256SUMS, as sha256sum -c checks them', async () => {
    const sums = await runTool(requireTool('sha256sum', 'coreutils'), ['-c', 'SHA256SUMS'], {
      cwd: join(root, 'dist'),
    });
    expect(sums.toString()).to.equal('bmpack-linux-x64: OK\nbmpack-linux-arm64: OK\n');
  });

  it('both executables carry the SEA blob: the fuse is flipped and dist/bmpack.cjs is inside', () => {
    const script = readFileSync(join(root, 'dist', 'bmpack.cjs'));
    for (const file of [executable, arm64]) {
      const bytes = readFileSync(file);
      expect(bytes.includes(`${fuse}:1`), `${file}: fuse`).to.equal(true);
      expect(bytes.includes(script), `${file}: bmpack.cjs`).to.equal(true);
    }
  });

  it('the arm64 executable is an aarch64 ELF that runs under qemu-aarch64 and names its platform', async () => {
    const head = readFileSync(arm64).subarray(0, 20);
    expect(head.subarray(0, 4).toString('latin1')).to.equal('\x7fELF');
    expect(head.readUInt16LE(18)).to.equal(183); // e_machine EM_AARCH64
    const qemu = requireTool('qemu-aarch64', 'qemu-user');
    const out = await runTool(qemu, ['-L', '/usr/aarch64-linux-gnu', arm64, '--version'], {
      env: { PATH: '/nonexistent' },
      timeoutMs: 120_000,
    });
    expect(out.toString().trim()).to.equal(`bmpack/0.1.0 linux-arm64 node-v${nodeVersion}`);
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

  it('creates, inspects, verifies on worker processes and pushes a bundle, and writes mirror config', async () => {
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

    const hosts = join(work.dir, 'certs.d');
    const config = ['--private-registry', target, '--source', bundle, '--plain-http'];
    await bmpack('mirror', 'config', ...config, '--output', hosts);
    const written = readdirSync(hosts, { recursive: true }).map(String);
    const toml = written.find((f) => f.endsWith('hosts.toml'));
    expect(toml, written.join(', ')).to.be.a('string');
    expect(readFileSync(join(hosts, toml!), 'utf8')).to.contain(`http://${reg.host}/v2/mirror`);
  });
});
