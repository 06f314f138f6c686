/**
 * One containerd `hosts.toml` (docs/hosts.md; protocols.md §3b–3c): the
 * private registry as the first host, the upstream registry as `server`
 * so that an image missing from the mirror is still pulled from upstream
 * when the network allows. Pure.
 */
import type { MirrorTarget } from './mirror-target.js';
import { upstreamServer } from './mirror-target.js';
import { tomlAssign, tomlComment, tomlTableHeader } from './toml-write.js';

export interface HostsTomlOptions {
  /** The mirrored registry: `docker.io`, `gcr.io`, `reg.local:5000`. */
  readonly upstream: string;
  readonly target: MirrorTarget;
  /** The `ca` value: the CA's path as containerd on the node sees it. */
  readonly ca?: string;
  readonly skipVerify?: boolean;
}

export function renderHostsToml(o: HostsTomlOptions): string {
  const { target } = o;
  const lines = [
    ...tomlComment(
      [
        `Written by bmpack mirror config. containerd pulls ${o.upstream} images from the private`,
        `registry ${target.registry}${target.namespace ? `/${target.namespace}` : ''} first, and from ${upstreamServer(o.upstream)} when the mirror lacks one.`,
        'Read through config_path; edits take effect on the next pull, no restart needed.',
      ].join('\n'),
    ),
    tomlAssign('server', upstreamServer(o.upstream)),
    '',
    tomlTableHeader(['host', target.endpoint]),
    `  ${tomlAssign('capabilities', ['pull', 'resolve'])}`,
  ];
  if (o.ca !== undefined) lines.push(`  ${tomlAssign('ca', o.ca)}`);
  if (o.skipVerify === true) lines.push(`  ${tomlAssign('skip_verify', true)}`);
  // With a namespace the endpoint path is the API root itself: without
  // override_path containerd would append /v2 and ask /v2/NS/v2/<repo>.
  if (target.namespace !== '') lines.push(`  ${tomlAssign('override_path', true)}`);
  return `${lines.join('\n')}\n`;
}
