/**
 * --rewrite FROM=TO and --max-nested-paths N (push images, mirror check,
 * mirror config): how source repository paths become target ones at a
 * registry that limits them (src/push/repository-paths.ts).
 */
import { Flags } from '@oclif/core';
import { parsePathRule, type PathMapping } from '../push/repository-paths.js';

export const pathFlags = {
  rewrite: Flags.string({
    description:
      'Map a source prefix to a target path below the namespace: FROM=TO, e.g. quay.io/jetstack=jetstack or registry.k8s.io= (repeatable; the longest FROM wins).',
    helpValue: 'FROM=TO',
    multiple: true,
    helpGroup: 'PATHS',
  }),
  'max-nested-paths': Flags.integer({
    description:
      'Deepest repository name the registry takes, namespace included: deeper paths fold their leftmost components into one, joined by "-".',
    min: 1,
    helpGroup: 'PATHS',
  }),
};

export interface PathFlagValues {
  readonly rewrite?: readonly string[] | undefined;
  readonly 'max-nested-paths'?: number | undefined;
}

export function pathMappingFromFlags(flags: PathFlagValues): PathMapping {
  return {
    rules: (flags.rewrite ?? []).map(parsePathRule),
    ...(flags['max-nested-paths'] !== undefined ? { maxDepth: flags['max-nested-paths'] } : {}),
  };
}
