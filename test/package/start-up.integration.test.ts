/**
 * How bin/run.js starts bmpack: from the single file `npm run build` makes
 * (dist/bmpack.cjs) with the V8 code cache beside it, which V8 must accept
 * (a rejected cache still works, only slowly: nothing else would notice);
 * and, when there is no single file, from tsc's output through oclif.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import Module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { expect } from 'chai';
import { makeTempDir } from '../rig/processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const single = join(root, 'dist', 'bmpack.cjs');
const run = promisify(execFile);

describe('bmpack start-up (bin/run.js)', function () {
  this.timeout(60_000);

  before(() => {
    for (const file of [single, `${single}.cache`, join(root, 'dist', 'commands')])
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  });

  it('has a code cache for the single file that V8 accepts', () => {
    // The same wrapping and options as bin/run.js.
    const script = new vm.Script(Module.wrap(readFileSync(single, 'utf8')), {
      filename: single,
      cachedData: readFileSync(`${single}.cache`),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    expect(script.cachedDataRejected).to.equal(false);
  });

  it('runs the single file (its stack traces name it)', async () => {
    const dir = await makeTempDir('bmpack-start-');
    try {
      const empty = join(dir.path, 'empty.tar');
      await writeFile(empty, Buffer.alloc(0));
      const args = [join(root, 'bin', 'run.js'), 'bundle', 'inspect', empty, '--debug'];
      const failed: unknown = await run(process.execPath, args).catch((err: unknown) => err);
      expect(failed).to.have.property('stderr').that.contains('dist/bmpack.cjs:');
    } finally {
      await dir.stop();
    }
  });

  it('falls back to the compiled commands when there is no single file', async () => {
    const dir = await makeTempDir('bmpack-start-');
    try {
      await mkdir(join(dir.path, 'bin'));
      await cp(join(root, 'bin', 'run.js'), join(dir.path, 'bin', 'run.js'));
      await cp(join(root, 'dist', 'commands'), join(dir.path, 'dist', 'commands'), {
        recursive: true,
      });
      await cp(join(root, 'dist', 'src'), join(dir.path, 'dist', 'src'), { recursive: true });
      await cp(join(root, 'package.json'), join(dir.path, 'package.json'));
      await symlink(join(root, 'node_modules'), join(dir.path, 'node_modules'), 'dir');
      const bundle = join(dir.path, 'no-bundle.tar');
      await writeFile(bundle, Buffer.alloc(0));
      const run2 = (args: string[]): Promise<unknown> =>
        run(process.execPath, [join(dir.path, 'bin', 'run.js'), ...args]).catch(
          (err: unknown) => err,
        );
      const version = await run2(['--version']);
      expect(version)
        .to.have.property('stdout')
        .that.matches(/^bmpack\/\d+\.\d+\.\d+ /);
      // A real command runs too: an empty file is refused the way bmpack refuses it.
      const inspect = await run2(['bundle', 'inspect', bundle]);
      expect(inspect).to.have.property('code', 11);
      expect(inspect).to.have.property('stderr').that.contains('E_BUNDLE_INVALID');
    } finally {
      await dir.stop();
    }
  });
});
