/**
 * bmpack as another project uses it: `import … from 'bmpack'` resolves
 * through package.json (exports, main, types) to the built library, in a
 * project of its own; its types are real (a wrong option does not compile);
 * and its errors are BmpackErrors with codes across the package boundary.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { requireBuiltCli } from '../rig/cli.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const consumer = `
import * as bmpack from 'bmpack';
const { copyImage, BmpackError } = bmpack;
const names = Object.keys(bmpack).sort();
let error;
try {
  await copyImage({ source: 'oci:' + process.argv[2], destination: 'oci:' + process.argv[3] });
} catch (err) {
  error = { isBmpackError: err instanceof BmpackError, code: err.code, exitCode: err.exitCode };
}
const ref = bmpack.formatReference(bmpack.parseReference('nginx:1.27'));
console.log(JSON.stringify({ names, error, ref }));
`;

const typed = `
import { createBundle, pushImages, copyImage, type CreateBundleOptions } from 'bmpack';
const options: CreateBundleOptions = { manifests: ['release.yaml'], concurrency: 4 };
export const run = async (): Promise<string> => {
  const bundle = await createBundle(options);
  const pushed = await pushImages({ source: bundle.output, privateRegistry: '10.0.0.5:5000/m' });
  const copied = await copyImage({ source: 'bundle:' + bundle.output, destination: 'oci:out', all: true });
  return \`\${bundle.sha256} \${pushed.blobsUploaded} \${copied.images.length}\`;
};
`;

describe('the library as another project imports it', function () {
  this.timeout(120_000);
  let project: TrackedDir;

  before(async () => {
    requireBuiltCli();
    project = await makeTempDir('bmpack-consumer-');
    const dir = project.path;
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', type: 'module' }),
    );
    await mkdir(join(dir, 'node_modules'));
    await symlink(root, join(dir, 'node_modules', 'bmpack'), 'dir');
    await writeFile(join(dir, 'consumer.mjs'), consumer);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  });
  after(() => project.stop());

  it('imports the use cases, the core and the error class from the built package', async () => {
    const out = await runTool(
      process.execPath,
      [
        join(project.path, 'consumer.mjs'),
        join(project.path, 'absent-layout'),
        join(project.path, 'out'),
      ],
      { cwd: project.path },
    );
    const result = JSON.parse(out.toString()) as {
      names: string[];
      error: { isBmpackError: boolean; code: string; exitCode: number };
      ref: string;
    };
    expect(result.names).to.include.members([
      'createBundle',
      'pushImages',
      'copyImage',
      'inspectBundle',
      'verifyBundle',
      'inspectRemoteImage',
      'mirrorConfig',
      'mirrorRuntimeConfig',
      'runtimeCapabilities',
      'checkMirror',
      'copyImages',
      'walkImage',
      'RegistrySource',
      'LayoutDirSink',
      'BmpackError',
    ]);
    expect(result.error).to.deep.equal({ isBmpackError: true, code: 'E_IO', exitCode: 12 });
    expect(result.ref).to.equal('docker.io/library/nginx:1.27');
  });

  it('carries its types: typed use compiles, a wrong option does not', async () => {
    await writeFile(join(project.path, 'typed.ts'), typed);
    await runTool(process.execPath, [tsc, '-p', project.path]);
    await writeFile(
      join(project.path, 'wrong.ts'),
      "import { createBundle } from 'bmpack';\nexport const p = createBundle({ manifest: 'x' });\n",
    );
    const failed = await runTool(process.execPath, [tsc, '-p', project.path]).then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(failed).to.match(/wrong\.ts.*manifest/s);
  });
});
