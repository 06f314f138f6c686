/**
 * Finding the referrers of walked images in their registries, as the copy
 * engine's `expand` hook. For each digest an image reaches (its index,
 * each platform manifest kept, the original index a filter rewrote):
 * - the OCI 1.1 referrers API, where the registry has it: asked of the
 *   first digest of each registry, and of no other digest there when it
 *   answers 404 (a registry without it costs one round trip in all);
 * - the repository's tags, listed once per repository: cosign's
 *   `sha256-<hex>.sig/.att/.sbom` tags, and — where the API is missing —
 *   the referrers tag schema's `sha256-<hex>` index, whose entries are
 *   carried one by one as the API would list them.
 * What they bring is asked about in turn, so that the signature of an
 * attestation comes too. Each becomes a copy request of its own, carried
 * byte for byte (no platform filter applies to a signature).
 */
import pLimit from 'p-limit';
import type { CopyRequest, PlannedImage } from '../copy/index.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  bundlePredicateAnnotation,
  kindOfArtifact,
  referrerKinds,
  type ReferrerKind,
  type ReferrerLink,
} from '../oci/referrer-kinds.js';
import { formatReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import { referrerTags } from './referrer-tags.js';

export interface ReferrerOptions {
  readonly kinds?: ReadonlySet<ReferrerKind>;
  /** A repository whose tags or referrers cannot be listed: its images go without them. */
  readonly onWarning?: (message: string) => void;
  /**
   * Repositories whose tags are listed right away, while their images are
   * walked: each is asked once either way, and the walk of the last image
   * need not be followed by a round of tag lists.
   */
  readonly listAhead?: ReadonlyArray<{ readonly registry: string; readonly repository: string }>;
}

/** Tag lists asked ahead at once (the walk asks 32 questions at a time). */
const listAheadConcurrency = 8;

type Found = Omit<CopyRequest, 'name' | 'sourceName'> & { readonly from: CopyRequest['from'] };

export function registryReferrers(
  client: RegistryClient,
  o: ReferrerOptions = {},
): (walked: readonly PlannedImage[]) => Promise<CopyRequest[]> {
  const kinds = o.kinds ?? new Set(referrerKinds);
  const ask = new RegistryQuestions(client, o.onWarning ?? (() => undefined));
  // A few at a time, so that the walk's own questions are not queued behind
  // hundreds of lists at the registry; one the expansion needs before its
  // turn is asked then (each once either way). A failure is reported when a
  // walked image's expansion asks for the same list; none is started once
  // the client is closing (a walk failed: nothing will ask).
  const ahead = pLimit(listAheadConcurrency);
  for (const at of o.listAhead ?? [])
    ahead(async () => {
      if (!client.closing) await ask.listTags(at);
    }).catch(() => undefined);
  const asked = new Set<string>();
  return async (walked) => {
    const found = await Promise.all(
      walked.map(async ({ request, graph }) => {
        const { registry, repository } = request.from;
        const of = request.referrer?.of ?? request.name;
        const digests = [
          graph.top.digest,
          ...graph.documents.map((d) => d.digest),
          ...(graph.originalIndexDigest !== undefined ? [graph.originalIndexDigest] : []),
        ];
        const unique = [...new Set(digests)];
        const at = { registry, repository };
        const [byApi, byTag] = await Promise.all([
          Promise.all(unique.map((d) => ask.referrers(at, d))),
          ask.tags(at),
        ]);
        const apiKnown = byApi.some((r) => r !== undefined);
        const out: CopyRequest[] = [];
        byApi.forEach((list, i) =>
          out.push(...bySubject(at, unique[i] ?? '', list ?? [], of, kinds)),
        );
        for (const t of referrerTags(byTag, new Set(unique), kinds)) {
          if (t.kind !== 'index') {
            out.push(byCosignTag(at, t.tag, { of, subject: t.subject, kind: t.kind, via: 'tag' }));
          } else if (!apiKnown) {
            const entries = await ask.fallbackIndex(at, t.tag);
            out.push(...bySubject(at, t.subject, entries, of, kinds));
          }
        }
        return out;
      }),
    );
    return found.flat().filter((r) => !asked.has(r.name) && asked.add(r.name));
  };
}

/** What is asked of each registry, each question once. */
class RegistryQuestions {
  private readonly tagLists = new Map<string, Promise<string[] | BmpackError>>();
  private readonly warned = new Set<string>();
  private readonly hasApi = new Map<string, Promise<boolean>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly warn: (message: string) => void,
  ) {}

  /** Starts listing the repository's tags, once; a registry's refusal is the answer, not a failure. */
  listTags(at: { registry: string; repository: string }): Promise<string[] | BmpackError> {
    const key = `${at.registry}/${at.repository}`;
    let list = this.tagLists.get(key);
    if (list === undefined) {
      list = listAll(this.client, at).catch((err: unknown) => {
        if (!(err instanceof BmpackError)) throw err;
        return err;
      });
      this.tagLists.set(key, list);
    }
    return list;
  }

  /**
   * Every tag of the repository of a walked image; none, with a warning
   * (once), when they cannot be listed. Only here: a repository listed
   * ahead whose image then fails its walk warns of nothing.
   */
  async tags(at: { registry: string; repository: string }): Promise<string[]> {
    const list = await this.listTags(at);
    if (!(list instanceof BmpackError)) return list;
    const key = `${at.registry}/${at.repository}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.warn(`cannot list the tags of ${key} to find signatures: ${list.message}`);
    }
    return [];
  }

  /**
   * The referrers API's answer for `digest`; undefined when the registry
   * has no API. Its first question decides for every other.
   */
  async referrers(
    at: { registry: string; repository: string },
    digest: string,
  ): Promise<Descriptor[] | undefined> {
    const known = this.hasApi.get(at.registry);
    if (known !== undefined && !(await known)) return undefined;
    const answer = this.client.listReferrers(at, digest).catch((err: unknown) => {
      if (!(err instanceof BmpackError)) throw err;
      this.warn(
        `cannot list the referrers of ${at.registry}/${at.repository}@${digest}: ${err.message}`,
      );
      return undefined;
    });
    if (known === undefined)
      this.hasApi.set(
        at.registry,
        answer.then((a) => a !== undefined),
      );
    return answer;
  }

  /** The entries of a referrers tag schema index. */
  async fallbackIndex(
    at: { registry: string; repository: string },
    tag: string,
  ): Promise<readonly Descriptor[]> {
    try {
      const m = await this.client.getManifest({ ...at, tag });
      return m.manifest.kind === 'index' ? m.manifest.manifests : [];
    } catch (err) {
      if (!(err instanceof BmpackError)) throw err;
      this.warn(
        `cannot read the referrers index ${at.registry}/${at.repository}:${tag}: ${err.message}`,
      );
      return [];
    }
  }
}

async function listAll(
  client: RegistryClient,
  at: { registry: string; repository: string },
): Promise<string[]> {
  const tags: string[] = [];
  for await (const page of client.listTags(at)) tags.push(...page);
  return tags;
}

/** Referrers by subject (API or fallback index): copied by digest, of the kinds wanted. */
function bySubject(
  at: { registry: string; repository: string },
  subject: string,
  entries: readonly Descriptor[],
  of: string,
  kinds: ReadonlySet<ReferrerKind>,
): CopyRequest[] {
  return entries.flatMap((d) => {
    const kind = kindOfArtifact(d.artifactType, d.annotations);
    if (!kinds.has(kind)) return [];
    const predicate = d.annotations?.[bundlePredicateAnnotation];
    const link: ReferrerLink = {
      of,
      subject,
      kind,
      ...(d.artifactType !== undefined ? { artifactType: d.artifactType } : {}),
      via: 'subject',
      ...(kind === 'attestation' && predicate !== undefined ? { predicateTypes: [predicate] } : {}),
    };
    const top = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    return [
      named({
        from: { ...at, digest: d.digest },
        top,
        to: { repository: repoOf(at) },
        referrer: link,
      }),
    ];
  });
}

/** A cosign tag: carried under its tag, as cosign looks it up. */
function byCosignTag(
  at: { registry: string; repository: string },
  tag: string,
  link: ReferrerLink,
): CopyRequest {
  return named({ from: { ...at, tag }, to: { repository: repoOf(at), tag }, referrer: link });
}

function named(r: Found): CopyRequest {
  const name = formatReference(r.from);
  return { name, sourceName: name, ...r };
}

function repoOf(at: { registry: string; repository: string }): string {
  return `${at.registry}/${at.repository}`;
}
