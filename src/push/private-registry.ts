/**
 * `--private-registry HOST[:PORT][/NAMESPACE]`, as bmctl takes it: the
 * registry to push into, and an optional namespace path that prefixes
 * every repository (the mirror endpoint is then
 * `https://HOST:PORT/v2/NAMESPACE`). Pure.
 */
import { BmpackError } from '../errors.js';

export interface PrivateRegistry {
  /** `10.0.0.5:5000`, as a registry host in references. */
  readonly registry: string;
  /** `namespace` or `team/mirror`; empty when none. */
  readonly namespace: string;
}

const hostPattern =
  /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::\d{1,5})?$/;
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parsePrivateRegistry(input: string): PrivateRegistry {
  const trimmed = input.trim().replace(/\/+$/, '');
  const fail = (what: string): never => {
    throw new BmpackError('E_USAGE', `invalid private registry ${JSON.stringify(input)}: ${what}`, {
      hint: 'Write HOST[:PORT][/NAMESPACE], e.g. 10.0.0.5:5000 or registry.local:5000/mirror (no https://).',
      reason: 'private-registry-invalid',
    });
  };
  if (/^[a-z]+:\/\//i.test(trimmed)) return fail('drop the scheme');
  const slash = trimmed.indexOf('/');
  const registry = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const namespace = slash === -1 ? '' : trimmed.slice(slash + 1);
  if (!hostPattern.test(registry)) return fail(`"${registry}" is not a host[:port]`);
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return fail(`port ${port} is out of range`);
  if (namespace !== '' && !namespace.split('/').every((c) => componentPattern.test(c))) {
    return fail(
      `namespace "${namespace}" must be lowercase path components (a-z, 0-9, '.', '_', '-')`,
    );
  }
  return { registry, namespace };
}
