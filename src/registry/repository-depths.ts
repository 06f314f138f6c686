/**
 * The preflight of a push into a registry that may limit repository depth:
 * one name of each distinct depth is probed (repository-probe.ts), all at
 * once, and the push fails before any write when the registry refuses one,
 * saying how deep it does go. A registry refuses by depth, not by name, so
 * one probe per depth answers for every name of that depth.
 */
import { BmpackError } from '../errors.js';
import type { RegistryClient } from './client.js';

/** One repository of each depth, deepestTaken first. */
export function probesByDepth(repositories: Iterable<string>): string[] {
  const byDepth = new Map<number, string>();
  for (const r of repositories) {
    const depth = r.split('/').length;
    if (!byDepth.has(depth)) byDepth.set(depth, r);
  }
  return [...byDepth.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

export async function checkRepositoryDepths(
  client: RegistryClient,
  registry: string,
  repositories: Iterable<string>,
): Promise<void> {
  const probes = probesByDepth(repositories);
  const verdicts = await Promise.all(
    probes.map(async (repository) => ({
      repository,
      depth: repository.split('/').length,
      verdict: await client.probeRepositoryName({ registry, repository }),
    })),
  );
  const refused = verdicts.filter((v) => !v.verdict.accepted);
  const first = refused[0];
  if (first === undefined || first.verdict.accepted) return;
  const accepted = verdicts.filter((v) => v.verdict.accepted && v.depth < first.depth);
  const known = accepted.at(-1)?.repository;
  const deepestTaken = known ?? (await acceptedPrefix(client, registry, first.repository));
  const deepestAccepted = deepestTaken === undefined ? 0 : deepestTaken.split('/').length;
  const takes =
    deepestTaken !== undefined
      ? `it takes names ${deepestAccepted} deep (${deepestTaken})`
      : 'it took no shorter name either';
  throw new BmpackError(
    'E_TARGET_NAME_REJECTED',
    `${registry} refuses repository names ${first.depth} deep such as ${first.repository}; ${takes}. Nothing was written.`,
    {
      hint:
        deepestAccepted > 0
          ? `Fold the deeper names to ${deepestAccepted} components or map their prefixes to shorter ones (the mapping is shown by a dry run).`
          : 'Check that the namespace exists at the registry and that the user may push to it.',
      reason: deepestAccepted > 0 ? 'repository-too-deep' : 'repository-name-refused',
      cause: first.verdict.error,
      details: {
        registry,
        repository: first.repository,
        depth: first.depth,
        deepestAccepted,
      },
    },
  );
}

/**
 * When every name of the release was refused, how deep the registry does
 * go: the refused name's prefixes, deepest first, until one is taken.
 */
async function acceptedPrefix(
  client: RegistryClient,
  registry: string,
  refused: string,
): Promise<string | undefined> {
  const parts = refused.split('/');
  for (let depth = parts.length - 1; depth >= 1; depth--) {
    const repository = parts.slice(0, depth).join('/');
    // A shorter name may lie outside what the user may push to: then it is not known.
    const verdict = await client
      .probeRepositoryName({ registry, repository })
      .catch(() => undefined);
    if (verdict === undefined) return undefined;
    if (verdict.accepted) return repository;
  }
  return undefined;
}
