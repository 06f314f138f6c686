/**
 * Puts generated images into a real registry with skopeo, so that what the
 * registry holds was written by an independent client (not bmpack), then
 * checks that the registry holds exactly the generator's bytes: skopeo must
 * neither convert formats nor re-serialise manifests.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  blobsOf,
  sha256Digest,
  type GeneratedImage,
  type GeneratedIndex,
} from './image-generator.js';
import { writeLayout } from './layout.js';
import { runTool } from './processes.js';
import { makeTempDir } from './temp-dir.js';
import type { RunningRegistry } from './registry.js';
import { requireTool } from './tools.js';

/**
 * skopeo flags for TLS and credentials towards `registry`; `prefix` is
 * `'dest-'` or `'src-'` for `copy`, `''` for `inspect`. `certDir` must be a
 * directory holding only the CA as `ca.crt` when the registry uses TLS
 * (skopeo rejects a `.key` there without a matching client `.cert`).
 */
export function skopeoRegistryArgs(
  registry: RunningRegistry,
  prefix: '' | 'dest-' | 'src-',
  certDir?: string,
): string[] {
  const args: string[] = [];
  if (registry.plainHttp) args.push(`--${prefix}tls-verify=false`);
  else if (certDir !== undefined) args.push(`--${prefix}cert-dir`, certDir);
  else throw new Error('skopeoRegistryArgs: a TLS registry needs certDir');
  if (registry.username !== undefined && registry.password !== undefined) {
    args.push(`--${prefix}creds`, `${registry.username}:${registry.password}`);
  } else {
    args.push(`--${prefix}no-creds`);
  }
  return args;
}

function hasDockerManifest(item: GeneratedImage | GeneratedIndex): boolean {
  if (item.format === 'docker') return true;
  return item.kind === 'index' && item.images.some((image) => image.format === 'docker');
}

/**
 * Writes skopeo's `dir:` format (containers/image dir transport 1.1): the top
 * manifest as `manifest.json`, child manifests as `<hex>.manifest.json`, and
 * every other blob as `<hex>`. Needed because skopeo's `oci:` source ignores
 * index.json entries whose mediaType is not an OCI one, so Docker schema2
 * manifests cannot be read from an OCI layout.
 */
async function writeDirTransport(
  dir: string,
  item: GeneratedImage | GeneratedIndex,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  const children = new Set(item.kind === 'index' ? item.images.map((i) => i.manifestDigest) : []);
  for (const [digest, data] of blobsOf(item)) {
    const hex = digest.slice('sha256:'.length);
    if (digest === item.manifestDigest) await writeFile(join(dir, 'manifest.json'), data);
    else if (children.has(digest)) await writeFile(join(dir, `${hex}.manifest.json`), data);
    else await writeFile(join(dir, hex), data);
  }
}

/**
 * Pushes an image or index into `registry` as `repoAndTag` (`repo/name:tag`)
 * with `skopeo copy --all --preserve-digests` (from an OCI layout, or from
 * skopeo's `dir:` format when Docker manifests are involved), checks that the registry
 * serves the generator's manifest digest for the tag and every child, and
 * returns that digest.
 */
export async function seedImage(
  registry: RunningRegistry,
  item: GeneratedImage | GeneratedIndex,
  repoAndTag: string,
): Promise<string> {
  const skopeo = requireTool('skopeo', 'skopeo');
  const workDir = await makeTempDir('bmpack-seed-');
  const work = workDir.path;
  try {
    let source: string;
    if (hasDockerManifest(item)) {
      source = `dir:${join(work, 'dir')}`;
      await writeDirTransport(join(work, 'dir'), item);
    } else {
      source = `oci:${join(work, 'layout')}:seed`;
      await writeLayout(join(work, 'layout'), [{ ref: 'seed', image: item }]);
    }
    // Our own policy and registries.conf: the machine's (or their absence on a
    // fresh CI box) must not change what skopeo does.
    const policy = join(work, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const registriesConf = join(work, 'registries.conf');
    await writeFile(registriesConf, '');
    let certDir: string | undefined;
    if (registry.caFile !== undefined) {
      certDir = join(work, 'certs');
      await mkdir(certDir);
      await copyFile(registry.caFile, join(certDir, 'ca.crt'));
    }
    const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: registriesConf };
    const target = `docker://${registry.host}/${repoAndTag}`;
    // prettier-ignore
    await runTool(skopeo, [
      '--policy', policy, 'copy', '--all', '--preserve-digests', '--retry-times', '0',
      ...skopeoRegistryArgs(registry, 'dest-', certDir),
      source, target,
    ], { env });

    const repo = repoAndTag.slice(0, repoAndTag.lastIndexOf(':'));
    const expected: Array<[string, string]> = [[target, item.manifestDigest]];
    if (item.kind === 'index') {
      for (const image of item.images) {
        expected.push([
          `docker://${registry.host}/${repo}@${image.manifestDigest}`,
          image.manifestDigest,
        ]);
      }
    }
    for (const [ref, digest] of expected) {
      const raw = await runTool(
        skopeo,
        ['--policy', policy, 'inspect', '--raw', ...skopeoRegistryArgs(registry, '', certDir), ref],
        { env },
      );
      const actual = sha256Digest(raw);
      if (actual !== digest) {
        throw new Error(
          `seedImage: ${ref} is ${actual} in the registry but the generator made ${digest}; ` +
            `skopeo converted or re-serialised the manifest:\n${raw.toString('utf8')}`,
        );
      }
    }
    return item.manifestDigest;
  } finally {
    await workDir.stop();
  }
}
