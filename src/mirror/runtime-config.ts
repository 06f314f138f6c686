/**
 * `mirror config` for one runtime: its whole tree (every file a node needs,
 * at its path below the node's root), written into a folder or as one tar
 * to unpack at `/`. The renderers are pure (runtime-*.ts); this reads the
 * inputs and writes, each file through a temporary name and a rename.
 */
import { posix, resolve } from 'node:path';
import { writeFileAtomic } from '../fs/write-atomic.js';
import type { PathMapping } from '../push/repository-paths.js';
import { dockerHubRegistry } from '../reference/index.js';
import {
  bmctlSettings,
  readCa,
  readPullCredential,
  movedRepositoriesOf,
  type MovedRepository,
  refuseMovedPathsOf,
  resolveHosts,
  usage,
  validateSources,
  type InputWarning,
} from './mirror-inputs.js';
import { validateCluster } from './mirror-config.js';
import { keepsPaths } from './path-mapping-check.js';
import { mirrorTarget } from './mirror-target.js';
import { renderRuntimeTree } from './runtime-render.js';
import {
  mirrorRuntimes,
  runtimeCapabilities,
  type MirrorRuntime,
  type RuntimeNote,
} from './runtime-tree.js';
import { treeTar } from './tree-tar.js';

export interface MirrorRuntimeOptions {
  /** `HOST[:PORT][/NAMESPACE]`, as given to push. */
  readonly privateRegistry: string;
  readonly runtime: MirrorRuntime;
  readonly hosts?: readonly string[];
  readonly source?: string;
  readonly caCert?: string;
  /** A Docker config file: the mirror's login is written into the runtime's files (mode 0600). */
  readonly pullCredentialConfig?: string;
  readonly plainHttp?: boolean;
  readonly skipVerify?: boolean;
  /** A folder for the tree (default ./mirror-<runtime>), or a file ending in .tar. */
  readonly output?: string;
  /** Where the tree goes on the node; the files' paths start there. Default `/`. */
  readonly nodeRoot?: string;
  /** bmctl: a user cluster's spec.nodeConfig.registryMirrors too. */
  readonly clusterName?: string;
  readonly secretNamespace?: string;
  /** The path mapping the push used: refused unless it moves no image (not written into any format yet). */
  readonly paths?: PathMapping;
}

export interface MirrorTreeEntry {
  /** Path below the node's root. */
  readonly path: string;
  readonly mode: number;
  /** Holds a credential. */
  readonly secret: boolean;
}

export interface MirrorRuntimeResult {
  readonly runtime: MirrorRuntime;
  readonly endpoint: string;
  readonly hosts: readonly string[];
  /** The folder or tar written. */
  readonly output: string;
  readonly archive: boolean;
  readonly tree: readonly MirrorTreeEntry[];
  readonly nodeRoot: string;
  /** How to roll it out, in order. */
  readonly steps: readonly string[];
  readonly warnings: readonly (InputWarning | RuntimeNote)[];
}

export function defaultTreeOutput(runtime: MirrorRuntime): string {
  return `mirror-${runtime}`;
}

export async function mirrorRuntimeConfig(o: MirrorRuntimeOptions): Promise<MirrorRuntimeResult> {
  if (!(mirrorRuntimes as readonly string[]).includes(o.runtime))
    throw usage(`unknown runtime ${o.runtime}`, `Use one of ${mirrorRuntimes.join(', ')}.`);
  validateSources(o);
  validateCluster(o, o.runtime === 'bmctl');
  const nodeRoot = o.nodeRoot ?? '/';
  if (!posix.isAbsolute(nodeRoot))
    throw usage(
      `the node root ${nodeRoot} is not an absolute path`,
      'It is where the tree is copied to on the nodes: / normally.',
      'mirror-install-dir-relative',
    );
  const target = mirrorTarget(o.privateRegistry, o.plainHttp === true);
  // registries.conf and registries.yaml send each repository to its place (a [[registry]], an
  // anchored rewrite); the other formats keep every path: a mapping that moves images is refused.
  let moved: MovedRepository[] = [];
  if (keepsPaths(o.runtime)) await refuseMovedPathsOf(o, target, o.runtime);
  else moved = await movedRepositoriesOf(o, target, o.runtime);
  const { hosts, warnings } = await resolveHosts(o, target);
  const ca = o.caCert !== undefined ? await readCa(o.caCert) : undefined;
  const caps = runtimeCapabilities[o.runtime];
  const credential =
    o.pullCredentialConfig !== undefined && caps.holdsCredentials
      ? await readPullCredential(o.pullCredentialConfig, target.registry)
      : undefined;
  const notes: RuntimeNote[] = [];
  if (o.pullCredentialConfig !== undefined && !caps.holdsCredentials && o.runtime !== 'bmctl')
    notes.push({
      kind: 'runtime-credentials-unused',
      message: `${o.runtime} keeps no mirror credentials in its configuration, so ${o.pullCredentialConfig} is not used: log in on each node instead`,
    });
  const rendering = renderRuntimeTree(
    o.runtime,
    {
      target,
      hosts: caps.dockerHubOnly ? hosts.filter((h) => h === dockerHubRegistry) : hosts,
      ...(ca !== undefined ? { ca } : {}),
      skipVerify: o.skipVerify === true,
      ...(credential !== undefined ? { credential } : {}),
      nodeRoot,
      ...(moved.length > 0 ? { moved } : {}),
    },
    bmctlSettings(o),
  );
  const output = resolve(o.output ?? defaultTreeOutput(o.runtime));
  const archive = output.endsWith('.tar');
  if (archive) {
    const secret = rendering.files.some((f) => f.secret);
    await writeFileAtomic(output, treeTar(rendering.files), secret ? 0o600 : 0o644);
  } else {
    for (const f of rendering.files)
      await writeFileAtomic(resolve(output, f.path), f.content, f.mode);
  }
  return {
    runtime: o.runtime,
    endpoint: target.endpoint,
    hosts,
    output,
    archive,
    tree: rendering.files.map((f) => ({ path: f.path, mode: f.mode, secret: f.secret })),
    nodeRoot,
    steps: rendering.steps,
    warnings: [...warnings, ...rendering.notes, ...notes],
  };
}
