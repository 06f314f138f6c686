/**
 * How bin/run.js starts bmpack: from the single file `npm run build` makes
 * (dist/bmpack.cjs) with the V8 code cache beside it, which V8 must accept
 * (a rejected cache still works, only slowly: nothing else would notice);
 * and, when there is no single file, from tsc's output through oclif.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { repoRoot as root, runCli } from '../rig/cli.js';
import { makeImage, seedImage } from '../rig/images.js';
import { startRegistry } from '../rig/registry.js';
import { makeTempDir } from '../rig/temp-dir.js';

const single = join(root, 'dist', 'bmpack.cjs');
const execFileAsync = promisify(execFile);

describe('bmpack start-up (bin/run.js)', function () {
  this.timeout(60_000);

  before(() => {
    for (const file of [single, `${single}.cache`, join(root, 'dist', 'commands')])
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  });

  it('has a code cache for the single file that V8 accepts', async () => {
    // The same flags, wrapping and options as bin/run.js, in a process of its own:
    // V8 rejects a cache made under other flags, and the flags are process-wide.
    const check = `
      import { readFileSync } from 'node:fs';
      import Module from 'node:module';
      import vm from 'node:vm';
      import { tuneGarbageCollection } from ${JSON.stringify(join(root, 'bin', 'gc-tuning.js'))};
      tuneGarbageCollection();
      const single = ${JSON.stringify(single)};
      const script = new vm.Script(Module.wrap(readFileSync(single, 'latin1')), {
        filename: single,
        cachedData: readFileSync(single + '.cache'),
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
      process.stdout.write(String(script.cachedDataRejected));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', check]);
    expect(stdout).to.equal('false');
  });

  it('runs the single file (its stack traces name it)', async () => {
    const dir = await makeTempDir('bmpack-start-');
    try {
      const empty = join(dir.path, 'empty.tar');
      await writeFile(empty, Buffer.alloc(0));
      const failed = await runCli(['bundle', 'inspect', empty, '--debug']);
      expect(failed.code).to.not.equal(0);
      expect(failed.stderr).to.contain('dist/bmpack.cjs:');
    } finally {
      await dir.stop();
    }
  });

  it('starts without node:http2, node:tls or node:child_process, which a plain-HTTP run never uses', async () => {
    // bin/package.js leaves undici's HTTP/2 client out; transport.ts loads
    // node:tls when it first needs it. Each costs milliseconds of every start.
    const version = await runObserved(['--version'], '', `process.moduleLoadList.join('\\n')`);
    expect(version.code).to.equal(0);
    const modules = version.report.split('\n');
    // Loaded at start: the registry client (undici) and the bundle reader.
    expect(modules).to.include.members(['NativeModule net', 'NativeModule crypto']);
    expect(modules).to.not.include('NativeModule http2');
    expect(modules).to.not.include('NativeModule tls');
    // Nor node:child_process, which oclif loads to detect WSL and name a
    // Windows shell (bin/package.js: sourcePatches).
    expect(modules).to.not.include('NativeModule child_process');
  });

  it("prints oclif's debug output under DEBUG, which the single file's quiet debug leaves to the real one", async () => {
    const quiet = await runCli(['--version']);
    expect(quiet.stderr).to.equal('');
    const loud = await runCli(['--version'], { env: { DEBUG: 'oclif:*' } });
    expect(loud.code).to.equal(0);
    expect(loud.stderr).to.match(/oclif:config/);
  });

  it('talks to a registry without node:http (undici asks it only when it must)', async () => {
    // bin/package.js: undici loads node:http for a class it compares and a
    // default bmpack always overrides; loading it costs ~5 ms of every run.
    const registry = await startRegistry('anonymous');
    try {
      await seedImage(
        registry,
        makeImage({ seed: 5, layers: 1, layerSize: 1024, format: 'oci' }),
        'start/up:v1',
      );
      const argv = ['image', 'tags', `${registry.host}/start/up`, '--plain-http'];
      const tags = await runObserved(argv, '', `process.moduleLoadList.join('\\n')`);
      expect(tags.code).to.equal(0);
      const modules = tags.report.split('\n');
      expect(modules).to.include('NativeModule net');
      expect(modules.filter((m) => /^NativeModule _?https?\b/.test(m))).to.deep.equal([]);
    } finally {
      await registry.stop();
    }
  });

  it('starts without setting up ICU collation (no localeCompare)', async () => {
    // oclif sorts commands with localeCompare; the first call of a process
    // builds ICU's collator (7-8 ms). bin/package.js makes the single file
    // compare command ids by code unit instead.
    const count = `let calls = 0;
      const localeCompare = String.prototype.localeCompare;
      String.prototype.localeCompare = function (...args) { calls++; return localeCompare.apply(this, args); };`;
    for (const argv of [['--version'], ['bundle', 'inspect', '--help']]) {
      const run = await runObserved(argv, count, 'calls');
      expect(run.code, argv.join(' ')).to.equal(0);
      expect(run.report, argv.join(' ')).to.equal('0');
    }
  });

  it('falls back to the compiled commands when there is no single file', async () => {
    const dir = await makeTempDir('bmpack-start-');
    try {
      await mkdir(join(dir.path, 'bin'));
      for (const file of ['run.js', 'gc-tuning.js'])
        await cp(join(root, 'bin', file), join(dir.path, 'bin', file));
      await cp(join(root, 'dist', 'commands'), join(dir.path, 'dist', 'commands'), {
        recursive: true,
      });
      await cp(join(root, 'dist', 'src'), join(dir.path, 'dist', 'src'), { recursive: true });
      await cp(join(root, 'package.json'), join(dir.path, 'package.json'));
      await symlink(join(root, 'node_modules'), join(dir.path, 'node_modules'), 'dir');
      const bundle = join(dir.path, 'no-bundle.tar');
      await writeFile(bundle, Buffer.alloc(0));
      const launcher = [process.execPath, join(dir.path, 'bin', 'run.js')];
      const version = await runCli(['--version'], { launcher });
      expect(version.stdout).to.match(/^bmpack\/\d+\.\d+\.\d+ /);
      // A real command runs too: an empty file is refused the way bmpack refuses it.
      const inspect = await runCli(['bundle', 'inspect', bundle], { launcher });
      expect(inspect.code).to.equal(11);
      expect(inspect.stderr).to.contain('E_BUNDLE_INVALID');
    } finally {
      await dir.stop();
    }
  });
});

/**
 * Runs bmpack through bin/run.js with a preload that runs `setup` first and
 * at exit reports the value of the expression `report`.
 */
async function runObserved(
  argv: string[],
  setup: string,
  report: string,
): Promise<{ code: number | null; report: string }> {
  const dir = await makeTempDir('bmpack-start-');
  try {
    const out = join(dir.path, 'report.txt');
    const preload = join(dir.path, 'observe.cjs');
    const write = `require('node:fs').writeFileSync(${JSON.stringify(out)}, String(${report}))`;
    await writeFile(preload, `${setup}\nprocess.on('exit', () => ${write});\n`);
    const launcher = [process.execPath, '--require', preload, join(root, 'bin', 'run.js')];
    const run = await runCli(argv, { launcher });
    return { code: run.code, report: await readFile(out, 'utf8') };
  } finally {
    await dir.stop();
  }
}
