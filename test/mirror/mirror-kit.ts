/**
 * Helpers of the mirror tests: bundles whose images carry upstream names
 * (docker.io/…, gcr.io/…) without any internet, a mirror seeded with
 * skopeo under NAMESPACE/<path> exactly as push maps them, and manifest
 * deletion through the registry API.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedImage, GeneratedIndex } from '../rig/image-generator.js';
import { writeLayout } from '../rig/layout.js';
import { runTool } from '../rig/processes.js';
import type { RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { basic, send } from '../rig/test-http.js';
import { requireTool } from '../rig/tools.js';
import { parseReference } from '../../src/reference/index.js';

export interface NamedItem {
  /** Full upstream reference, as the bundle names it: docker.io/library/nginx:1.0. */
  readonly ref: string;
  readonly item: GeneratedImage | GeneratedIndex;
}

/** A plain tar of an OCI layout whose index names each image by its full reference. */
export async function writeBundle(
  dir: string,
  name: string,
  images: readonly NamedItem[],
): Promise<string> {
  const layout = join(dir, `${name}-layout`);
  await writeLayout(
    layout,
    images.map((i) => ({ ref: i.ref, image: i.item })),
  );
  const file = join(dir, `${name}.tar`);
  await runTool(requireTool('tar', 'tar'), ['-cf', file, '-C', layout, '.']);
  return file;
}

/** The repository path and tag push gives `ref` under `namespace`. */
export function mirrorPath(ref: string, namespace: string): { repository: string; tag: string } {
  const parsed = parseReference(ref);
  const repository = namespace === '' ? parsed.repository : `${namespace}/${parsed.repository}`;
  return { repository, tag: parsed.tag ?? 'latest' };
}

/** Seeds every image into `reg` with skopeo where push would put it. */
export async function seedMirror(
  reg: RunningRegistry,
  namespace: string,
  images: readonly NamedItem[],
): Promise<void> {
  for (const i of images) {
    const { repository, tag } = mirrorPath(i.ref, namespace);
    await seedImage(reg, i.item, `${repository}:${tag}`);
  }
}

/** DELETE /v2/<repository>/manifests/<digest> (the rig registries enable deletes). */
export async function deleteManifest(
  reg: RunningRegistry,
  repository: string,
  digest: string,
): Promise<void> {
  await deleteAt(reg, `/v2/${repository}/manifests/${digest}`);
}

/** Removes a blob from one repository of the registry (distribution's blob DELETE). */
export async function deleteBlob(
  reg: RunningRegistry,
  repository: string,
  digest: string,
): Promise<void> {
  await deleteAt(reg, `/v2/${repository}/blobs/${digest}`);
}

async function deleteAt(reg: RunningRegistry, path: string): Promise<void> {
  const res = await send(`${reg.origin}${path}`, {
    method: 'DELETE',
    ...(reg.caFile !== undefined ? { caFile: reg.caFile } : {}),
    ...(reg.username !== undefined && reg.password !== undefined
      ? { headers: { authorization: basic(reg.username, reg.password) } }
      : {}),
  });
  if (res.status !== 202) throw new Error(`DELETE ${path}: ${res.status} ${res.body.toString()}`);
}

/** A Docker config file in `dir` holding the registry's login, as `docker login` writes it. */
export async function writeDockerLogin(dir: string, reg: RunningRegistry): Promise<string> {
  if (reg.username === undefined || reg.password === undefined)
    throw new Error(`${reg.host} has no login`);
  const file = join(dir, `docker-config-${reg.host.replace(/[^a-z0-9]/gi, '_')}.json`);
  const auth = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
  await writeFile(file, JSON.stringify({ auths: { [reg.host]: { auth } } }));
  return file;
}
