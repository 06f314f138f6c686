/**
 * One runtime's tree from the inputs every runtime shares: the dispatch
 * over the per-runtime renderers. Pure.
 */
import { renderBmctl } from './render-bmctl.js';
import { renderContainerdTree } from './runtime-containerd.js';
import { renderDockerTree } from './runtime-docker.js';
import { renderContainersTree } from './runtime-registries-conf.js';
import { renderRancherTree } from './runtime-registries-yaml.js';
import {
  treeFile,
  type MirrorRuntime,
  type RuntimeInput,
  type RuntimeRendering,
} from './runtime-tree.js';

/** bmctl's settings: paths on the admin workstation, and a user cluster. */
export interface BmctlTreeOptions {
  readonly caCertPath?: string;
  readonly pullCredentialConfigPath?: string;
  readonly clusterName?: string;
  readonly secretNamespace?: string;
}

export const bmctlTreeFile = 'bmctl/registry-mirrors.yaml';

export function renderRuntimeTree(
  runtime: MirrorRuntime,
  input: RuntimeInput,
  bmctl: BmctlTreeOptions = {},
): RuntimeRendering {
  switch (runtime) {
    case 'containerd':
      return renderContainerdTree(input, 2);
    case 'containerd2':
      return renderContainerdTree(input, 3);
    case 'crio':
    case 'podman':
      return renderContainersTree(input, runtime);
    case 'k3s':
    case 'rke2':
      return renderRancherTree(input, runtime);
    case 'docker':
      return renderDockerTree(input);
    case 'bmctl':
      return {
        runtime,
        files: [
          treeFile(
            bmctlTreeFile,
            renderBmctl({ target: input.target, hosts: input.hosts, ...bmctl }),
          ),
        ],
        steps: [
          'Put registryMirrors in the header of the cluster config file (above the first "---"), then run bmctl create cluster or bmctl update cluster.',
        ],
        notes: input.skipVerify
          ? [
              {
                kind: 'caveat',
                message: 'bmctl registryMirrors has no skip-verify setting; give the CA instead',
              },
            ]
          : [],
      };
  }
}
