/**
 * The runtimes `mirror config` writes for, what each can express, and the
 * tree of files it writes for one: paths relative to the node's root
 * (`etc/containerd/certs.d/docker.io/hosts.toml`), ready to be copied onto
 * a node or tarred. Pure.
 */
import { posix } from 'node:path';
import type { MirrorTarget } from './mirror-target.js';

export const mirrorRuntimes = [
  'containerd',
  'containerd2',
  'crio',
  'podman',
  'k3s',
  'rke2',
  'docker',
  'bmctl',
] as const;
export type MirrorRuntime = (typeof mirrorRuntimes)[number];

export interface RuntimeCapabilities {
  /**
   * The format can send a repository path to another path at the mirror
   * (registries.conf `prefix` → `location`, registries.yaml `rewrite`), so
   * push's path mappings can be written into it. hosts.toml, the CRI form,
   * daemon.json and bmctl cannot: a mapped bundle is refused for them.
   */
  readonly canExpressPathRewrite: boolean;
  /** The mirror stands in for Docker Hub only (Docker's registry-mirrors). */
  readonly dockerHubOnly: boolean;
  /** The files can carry pull credentials for the mirror (bmctl only names the Docker config file). */
  readonly holdsCredentials: boolean;
}

export const runtimeCapabilities: Readonly<Record<MirrorRuntime, RuntimeCapabilities>> = {
  containerd: { canExpressPathRewrite: false, dockerHubOnly: false, holdsCredentials: true },
  containerd2: { canExpressPathRewrite: false, dockerHubOnly: false, holdsCredentials: true },
  crio: { canExpressPathRewrite: true, dockerHubOnly: false, holdsCredentials: true },
  podman: { canExpressPathRewrite: true, dockerHubOnly: false, holdsCredentials: true },
  k3s: { canExpressPathRewrite: true, dockerHubOnly: false, holdsCredentials: true },
  rke2: { canExpressPathRewrite: true, dockerHubOnly: false, holdsCredentials: true },
  docker: { canExpressPathRewrite: false, dockerHubOnly: true, holdsCredentials: false },
  bmctl: { canExpressPathRewrite: false, dockerHubOnly: false, holdsCredentials: false },
};

/** One file of the tree. */
export interface TreeFile {
  /** Relative POSIX path below the node's root: `etc/docker/daemon.json`. */
  readonly path: string;
  readonly content: string | Buffer;
  /** 0o600 for files that hold a secret. */
  readonly mode: number;
  /** It holds a credential: never printed. */
  readonly secret: boolean;
}

/** The mirror's login, as a Docker config entry gives it. */
export interface PullCredential {
  readonly username?: string;
  readonly password?: string;
  readonly identityToken?: string;
}

export interface RuntimeInput {
  readonly target: MirrorTarget;
  /** Mirrored registries, sorted (gcr.io included). */
  readonly hosts: readonly string[];
  /** The mirror's CA (PEM), copied into the tree where the runtime reads it. */
  readonly ca?: Buffer;
  readonly skipVerify: boolean;
  /** Written only when given (the user asked for it). */
  readonly credential?: PullCredential;
  /** Where the tree is copied to: `/` on a node; a test folder in tests. Paths inside files start here. */
  readonly nodeRoot: string;
  /** The bundle's repositories under a push path mapping (only for runtimes that can express it). */
  readonly moved?: ReadonlyArray<{
    readonly source: string;
    readonly mirror: string;
    readonly moved: boolean;
  }>;
}

/** A note for the user in the library's words (no CLI flag). */
export interface RuntimeNote {
  readonly kind: 'caveat' | 'docker-hub-only' | 'runtime-credentials-unused';
  readonly message: string;
}

export interface RuntimeRendering {
  readonly runtime: MirrorRuntime;
  readonly files: readonly TreeFile[];
  /** How to roll the tree out on a node, in order. */
  readonly steps: readonly string[];
  readonly notes: readonly RuntimeNote[];
}

/** The absolute path on the node of a tree path. */
export function nodePath(input: RuntimeInput, treePath: string): string {
  return posix.join(input.nodeRoot, treePath);
}

export function treeFile(path: string, content: string | Buffer, secret = false): TreeFile {
  return { path, content, mode: secret ? 0o600 : 0o644, secret };
}

/** `user:password` base64, as a Docker config's `auth` holds it. */
export function basicAuth(c: PullCredential): string | undefined {
  if (c.username === undefined || c.password === undefined) return undefined;
  return Buffer.from(`${c.username}:${c.password}`).toString('base64');
}

/** The mirror's repository root as a path: `HOST:PORT/NAMESPACE` (or `HOST:PORT`). */
export function mirrorLocation(target: MirrorTarget): string {
  return target.namespace === '' ? target.registry : `${target.registry}/${target.namespace}`;
}
