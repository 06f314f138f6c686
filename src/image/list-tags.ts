/**
 * `image tags` as a use case: every tag of a repository, across the
 * registry's pages, in the order it gives them (distribution: lexical).
 */
import { parseReference } from '../reference/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';

export interface ListTagsOptions {
  /** A repository, as docker names it (a tag or digest on it is ignored). */
  readonly repository: string;
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  /** Tags asked for per page (default: tag-list.ts). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface TagList {
  /** `registry/repository`, normalised. */
  readonly repository: string;
  readonly tags: readonly string[];
}

export async function listRepositoryTags(o: ListTagsOptions): Promise<TagList> {
  const ref = parseReference(o.repository);
  const client = new RegistryClient({
    hosts: { [ref.registry]: o.host ?? {} },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    const tags: string[] = [];
    for await (const page of client.listTags(ref, o.pageSize)) tags.push(...page);
    return { repository: `${ref.registry}/${ref.repository}`, tags };
  } finally {
    await client.close();
  }
}
