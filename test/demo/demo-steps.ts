/**
 * The demo's steps, in the order a release engineer and a field team take
 * them. Each says in plain words what it does, then runs the real CLI.
 */
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { formatBytes } from '../../src/cli/format-bytes.js';
import { startDemoRegistry, type DemoRegistry } from './demo-registry.js';
import { demoImages, imageBytes } from './demo-images.js';
import { repoRoot, runBmpack, type BmpackRun } from './run-bmpack.js';
import { writeSeedArchive } from './seed-archive.js';

/** The placeholder host of manifests/demo.yaml. */
export const PLACEHOLDER_HOST = 'public.registry.example';
/** The private registry's namespace: images land under HOST:PORT/mirror/…. */
const NAMESPACE = 'mirror';
const BUNDLE = 'bmpackages_1.0.0.tar.xz';

/** What the steps share. `work` is the release engineer's folder, `site` the field team's. */
export interface DemoContext {
  readonly work: string;
  readonly site: string;
  readonly run: BmpackRun;
  publicRegistry?: DemoRegistry;
  privateRegistry?: DemoRegistry;
}

/** One step: a heading, a few plain words, and the work. */
export interface DemoStep {
  readonly title: string;
  readonly does: string;
  exec(ctx: DemoContext): Promise<void>;
}

/** A line under a step's heading. */
function say(text: string): void {
  process.stdout.write(text === '' ? '\n' : `    ${text}\n`);
}

function registries(ctx: DemoContext): { pub: string; priv: string } {
  if (ctx.publicRegistry === undefined || ctx.privateRegistry === undefined) {
    throw new Error('the registries are not running');
  }
  return { pub: ctx.publicRegistry.host, priv: `${ctx.privateRegistry.host}/${NAMESPACE}` };
}

/** bmpack in the field team's folder. */
function inSite(ctx: DemoContext): BmpackRun {
  return { ...ctx.run, cwd: ctx.site };
}

const startRegistries: DemoStep = {
  title: 'Start two local registries',
  does: 'Two registries on 127.0.0.1, plain HTTP, no auth: docker-registry (CNCF distribution) when installed, else bmpack serve --root.',
  async exec(ctx) {
    ctx.publicRegistry = await startDemoRegistry('public', ctx.work, ctx.run);
    ctx.privateRegistry = await startDemoRegistry('private', ctx.work, ctx.run);
    say(
      `public   ${ctx.publicRegistry.origin}  stands in for registry.k8s.io, quay.io, docker.io …`,
    );
    say(`private  ${ctx.privateRegistry.origin}  the site's registry behind the air gap`);
    say(`(both are ${ctx.privateRegistry.kind})`);
  },
};

const seedPublic: DemoStep = {
  title: 'Seed the public registry with a small release',
  does: 'Generates four images and pushes them from an OCI layout tar with bmpack itself (no skopeo needed).',
  async exec(ctx) {
    const images = demoImages();
    for (const { name, item, about } of images) {
      say(`${name.padEnd(24)} ${formatBytes(imageBytes(item)).padStart(9)}  ${about}`);
    }
    await writeSeedArchive(join(ctx.work, 'seed-images.tar'), images);
    const { pub } = registries(ctx);
    await runBmpack(
      `push images --source seed-images.tar --private-registry ${pub} --plain-http --need-credential=false`,
      ctx.run,
    );
  },
};

const writeManifest: DemoStep = {
  title: 'Write the release manifest',
  does: `manifests/demo.yaml with ${PLACEHOLDER_HOST} replaced by the public registry's address, as demo.yaml:`,
  async exec(ctx) {
    const template = await readFile(join(repoRoot, 'manifests', 'demo.yaml'), 'utf8');
    const manifest = template.replaceAll(PLACEHOLDER_HOST, registries(ctx).pub);
    await writeFile(join(ctx.work, 'demo.yaml'), manifest);
    const body = manifest.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    for (const line of body) say(line);
  },
};

const createBundle: DemoStep = {
  title: 'Release engineer: bundle create',
  does: `Pulls every image once, stores each shared layer once, writes ${BUNDLE} and its .sha256.`,
  async exec(ctx) {
    const { pub } = registries(ctx);
    await runBmpack(
      `bundle create --manifest demo.yaml --insecure-registry ${pub} --cache-dir cache`,
      ctx.run,
    );
  },
};

const inspectBundle: DemoStep = {
  title: 'Release engineer: bundle inspect',
  does: 'Reads only the metadata at the front of the bundle and lists what it holds.',
  exec: (ctx) => runBmpack(`bundle inspect ${BUNDLE}`, ctx.run),
};

const carry: DemoStep = {
  title: 'Carry the bundle across the air gap',
  does: 'Copies the bundle and its .sha256 to site/, standing in for the USB drive.',
  async exec(ctx) {
    await mkdir(ctx.site, { recursive: true });
    for (const file of [BUNDLE, `${BUNDLE}.sha256`]) {
      await copyFile(join(ctx.work, file), join(ctx.site, file));
      const { size } = await stat(join(ctx.site, file));
      say(`site/${file} (${formatBytes(size)})`);
    }
  },
};

const verifyBundle: DemoStep = {
  title: 'Field team: bundle verify',
  does: 'Offline, on arrival: every xz block checked, every blob re-hashed, the .sha256 compared.',
  exec: (ctx) => runBmpack(`bundle verify ${BUNDLE}`, inSite(ctx)),
};

const pushImages: DemoStep = {
  title: 'Field team: push images',
  does: `Replays the bundle into the private registry under /${NAMESPACE}, uploading only what it lacks.`,
  async exec(ctx) {
    const { priv } = registries(ctx);
    await runBmpack(
      `push images --source ${BUNDLE} --private-registry ${priv} --plain-http --need-credential=false`,
      inSite(ctx),
    );
  },
};

async function showHostsToml(certsDir: string): Promise<void> {
  for (const host of (await readdir(certsDir)).sort()) {
    const file = join(certsDir, host, 'hosts.toml');
    process.stdout.write('\n');
    say(`${relative(join(certsDir, '..'), file)}:`);
    const text = await readFile(file, 'utf8');
    for (const line of text.trimEnd().split('\n')) say(line === '' ? '' : `  ${line}`);
  }
}

const mirrorConfig: DemoStep = {
  title: 'Field team: mirror config',
  does: 'Writes containerd hosts.toml files (into site/certs.d here; /etc/containerd/certs.d on a node).',
  async exec(ctx) {
    const { priv } = registries(ctx);
    await runBmpack(
      `mirror config --private-registry ${priv} --source ${BUNDLE} --plain-http --output certs.d`,
      inSite(ctx),
    );
    await showHostsToml(join(ctx.site, 'certs.d'));
  },
};

const mirrorCheck: DemoStep = {
  title: 'Field team: mirror check',
  does: 'Resolves every image of the bundle through the mirror as containerd would, and checks certs.d.',
  async exec(ctx) {
    const { priv } = registries(ctx);
    await runBmpack(
      `mirror check --source ${BUNDLE} --private-registry ${priv} --plain-http --need-credential=false --config certs.d`,
      inSite(ctx),
    );
  },
};

/** Every step, in order. */
export const demoSteps: readonly DemoStep[] = [
  startRegistries,
  seedPublic,
  writeManifest,
  createBundle,
  inspectBundle,
  carry,
  verifyBundle,
  pushImages,
  mirrorConfig,
  mirrorCheck,
];
