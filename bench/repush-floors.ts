/**
 * The floors under a re-push (issue 17): the requests a re-push cannot do
 * without, the registry's ping and one manifest HEAD per image tag, made
 * over 16 keep-alive connections (bmpack's tag slots) by a fresh process:
 * - curl (one process, --parallel): what the registry itself takes;
 * - node running undici's dispatcher alone, nothing else loaded: what any
 *   Node program takes, start-up and exit included.
 * bmpack's re-push does these requests and, besides, opens and verifies the
 * bundle; the peer's re-push does them and much more, once per image.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestAccept } from '../src/oci/media-types.js';
import { repoRoot } from './options.js';
import { timed, type TimedResult } from './timed.js';

export const repushConnections = 16;

/** The re-push's requests into `origin`: the ping, then each image's tag under `prefix`. */
export function repushPaths(refs: readonly string[], sourceHost: string, prefix: string): string[] {
  const tags = refs.map((ref) => {
    const name = ref.slice(sourceHost.length + 1);
    const colon = name.lastIndexOf(':');
    return `/v2/${prefix}${name.slice(0, colon)}/manifests/${name.slice(colon + 1)}`;
  });
  return ['/v2/', ...tags];
}

/** curl making every request once, `repushConnections` at a time; fails on any answer but 2xx. */
export function curlRepushFloor(
  curl: string,
  origin: string,
  paths: readonly string[],
  timeDir: string,
): Promise<TimedResult> {
  const head = ['--silent', '--fail', '--head', '--output', '/dev/null'];
  const args = [
    '--parallel',
    '--parallel-max',
    String(repushConnections),
    '--header',
    `Accept: ${manifestAccept.join(', ')}`,
    ...paths.flatMap((p) => [...head, `${origin}${p}`]),
  ];
  return timed('re-push floor (curl)', curl, args, { timeDir });
}

/** A fresh node running undici alone for the same requests (script written into `dir`). */
export async function nodeRepushFloor(
  origin: string,
  paths: readonly string[],
  dir: string,
  timeDir: string,
): Promise<TimedResult> {
  const script = join(dir, 'repush-floor.mjs');
  // undici's dispatcher and request() alone, as bmpack's single file carries
  // them (bin/package.js), not its entry, which loads fetch, WebSocket … too.
  const lib = join(repoRoot, 'node_modules', 'undici', 'lib');
  await writeFile(
    script,
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const Dispatcher = require(${JSON.stringify(join(lib, 'dispatcher', 'dispatcher.js'))});
Object.assign(Dispatcher.prototype, require(${JSON.stringify(join(lib, 'api', 'index.js'))}));
const Agent = require(${JSON.stringify(join(lib, 'dispatcher', 'agent.js'))});
const [origin, accept, ...paths] = process.argv.slice(2);
const agent = new Agent({ connections: ${repushConnections} });
const ask = async (path, method) => {
  const res = await agent.request({ origin, path, method, headers: { accept }, reset: false });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(path + ': ' + res.statusCode);
};
await ask(paths[0], 'GET');
const rest = paths.slice(1);
await Promise.all(Array.from({ length: ${repushConnections} }, async () => {
  for (let p = rest.shift(); p !== undefined; p = rest.shift()) await ask(p, 'HEAD');
}));
await agent.close();
`,
  );
  const args = [script, origin, manifestAccept.join(', '), ...paths];
  return timed('re-push floor (node + undici)', process.execPath, args, { timeDir });
}
