/**
 * Ask the sink what it already has, concurrently: every tag; an image
 * whose tag already names its digest is whole there (a registry takes
 * a manifest only when the blobs and child manifests it lists exist —
 * distribution-spec "Pushing Manifests", MANIFEST_BLOB_UNKNOWN — and never
 * collects referenced content), so its closure needs no further requests.
 * For every other image, HEAD each blob and manifest in its repository
 * (a manifest only when everything it lists is there: otherwise the
 * registry cannot hold it).
 *
 * The answers are promises, per tag, per blob and per manifest, so that a
 * copy can start moving a blob as soon as the sink has answered for it
 * (in the sink's order, else largest first; each in every repository that
 * needs it before the next: best-first slots, since tags are answered in
 * any order): a blob's question waits only for the tags of the images in
 * its repository that hold it, not for every tag. `state` comes once every
 * answer is in.
 */
import type { ImageSink } from '../store/index.js';
import {
  stateKey,
  type CopyWork,
  type DigestWork,
  type ManifestWork,
  type SinkState,
} from './copy-plan.js';
import type { CopyRequest, PlannedImage } from './copy-request.js';
import type { BestFirst } from './best-first.js';
import { blobPriority } from './blob-priority.js';

/** The sink's answer for each image's tag (`repo:tag`), as it comes, and all of them. */
export interface TagAnswers {
  /** The digest the tag names at the sink; undefined when it names none (or was not asked). */
  get(key: string): Promise<string | undefined>;
  /** `repo:tag` → the digest it names, for every tag that exists, once every answer is in. */
  readonly all: Promise<Map<string, string>>;
  /** Asks this tag's question sooner, if it still waits for a slot (higher scores first). */
  raise(key: string, score: number): void;
}

export interface SinkProbe {
  readonly tags: TagAnswers;
  /** The repositories (of those that need it) that hold a blob. */
  holders(digest: string): Promise<readonly string[]>;
  /** Whether a repository holds a manifest. */
  hasManifest(repo: string, digest: string): Promise<boolean>;
  /** Every answer, once all are in; fails with the first request that failed. */
  readonly state: Promise<SinkState>;
}

/**
 * Asks the sink about every image's tag, each answer a promise of its own:
 * in the order listed, until probeSink raises the tags that the first
 * blobs to move wait for.
 */
export function readTags(
  sink: ImageSink,
  images: readonly CopyRequest[],
  slots: BestFirst,
): TagAnswers {
  const answers = new Map<string, Promise<string | undefined>>();
  for (const { to } of images) {
    const { repository, tag } = to;
    const key = `${repository}:${tag}`;
    if (tag === undefined || answers.has(key)) continue;
    const answer = slots(0, () => sink.tagDigest(repository, tag), key);
    answer.catch(() => undefined);
    answers.set(key, answer);
  }
  const all = Promise.all(
    [...answers].map(async ([key, answer]) => [key, await answer] as const),
  ).then((pairs) => new Map(pairs.flatMap(([k, d]) => (d !== undefined ? [[k, d] as const] : []))));
  all.catch(() => undefined);
  return {
    get: (key) => answers.get(key) ?? Promise.resolve(undefined),
    all,
    raise: (key, score) => {
      slots.raise(key, score);
    },
  };
}

/** The tag answers of several batches (the listed images, then what expand added) as one. */
export function joinTags(parts: readonly TagAnswers[]): TagAnswers {
  const all = Promise.all(parts.map((p) => p.all)).then(
    (maps) => new Map(maps.flatMap((m) => [...m])),
  );
  all.catch(() => undefined);
  return {
    get: async (key) => {
      for (const p of parts) {
        const d = await p.get(key);
        if (d !== undefined) return d;
      }
      return undefined;
    },
    all,
    raise: (key, score) => {
      for (const p of parts) p.raise(key, score);
    },
  };
}

/** Starts every question the plan needs, largest blobs first; `tags` from {@link readTags}. */
export function probeSink(
  sink: ImageSink,
  planned: readonly PlannedImage[],
  work: CopyWork,
  tags: TagAnswers,
  slots: BestFirst,
  /** The order the sink wants blobs in, lower first (default: largest first). */
  rank?: (digest: string) => number,
): SinkProbe {
  const answers = new Answers(wholeContent(planned, tags), slots);
  const holders = new Map<string, Promise<readonly string[]>>();
  // Asked in the order the blobs will move (blob-priority.ts).
  const ordered = [...work.digests].sort(
    (a, b) => blobPriority(rank, b.blob) - blobPriority(rank, a.blob),
  );
  raiseTags(tags, planned, ordered);
  for (const [i, { blob, repos }] of ordered.entries()) {
    // Digest by digest: a blob moves once every repository that needs it has
    // answered, so all of the first blob's questions go before the second's,
    // whichever repositories' tags were answered first.
    const held = repos.map((repository) =>
      answers.blob(stateKey(repository, blob.digest), -i, async () => {
        return (await sink.blobSize(repository, blob.digest)) === blob.size;
      }),
    );
    const found = Promise.all(held).then((yes) => repos.filter((_, i) => yes[i] === true));
    found.catch(() => undefined);
    holders.set(blob.digest, found);
  }
  // After every blob question: a manifest's answer is needed only once its blobs moved.
  for (const m of work.manifests)
    answers.manifest(m, -ordered.length, () => sink.hasManifest(m.repo, m.document.digest));
  const state = Promise.all([answers.all(), tags.all]).then(([{ blobs, manifests }, all]) => ({
    blobs,
    manifests,
    tags: all,
  }));
  state.catch(() => undefined);
  return {
    tags,
    holders: (digest) => holders.get(digest) ?? Promise.resolve([]),
    hasManifest: (repo, digest) => answers.hasManifest(stateKey(repo, digest)),
    state,
  };
}

/**
 * A blob's questions wait for the tags of the images in its repositories;
 * the tags were asked in the order listed, before the blobs were known.
 * Those the first blobs to move wait for are asked next: a fresh push of
 * 400 images, whose largest blob is shared by images spread over the
 * list, otherwise moved its first byte only once nearly every tag had
 * answered.
 */
function raiseTags(
  tags: TagAnswers,
  planned: readonly PlannedImage[],
  ordered: readonly DigestWork[],
): void {
  const byRepo = new Map<string, string[]>();
  for (const { request } of planned) {
    const { repository, tag } = request.to;
    if (tag === undefined) continue;
    const keys = byRepo.get(repository) ?? [];
    keys.push(`${repository}:${tag}`);
    byRepo.set(repository, keys);
  }
  ordered.forEach(({ repos }, i) => {
    for (const repo of repos)
      for (const key of byRepo.get(repo) ?? []) tags.raise(key, ordered.length - i);
  });
}

/** The sink's answers, by repo@digest, as they come in. */
class Answers {
  private readonly blobs = new Map<string, Promise<boolean>>();
  private readonly manifests = new Map<string, Promise<boolean>>();
  private readonly held = { blobs: new Set<string>(), manifests: new Set<string>() };
  private readonly pending: Array<Promise<unknown>> = [];

  constructor(
    /** Whether a whole image (its tag names its digest) holds repo@digest: known without asking. */
    private readonly whole: (key: string) => Promise<boolean>,
    private readonly slots: BestFirst,
  ) {}

  /** `score`: higher is asked first among the questions waiting for a slot. */
  blob(key: string, score: number, head: () => Promise<boolean>): Promise<boolean> {
    const answer = this.ask(key, this.held.blobs, score, head, []);
    this.blobs.set(key, answer);
    return answer;
  }

  /**
   * A registry holds a manifest only with everything it lists (children
   * first, as manifests come): one whose blob or child is absent is absent
   * too, and is not asked about.
   */
  manifest(m: ManifestWork, score: number, head: () => Promise<boolean>): void {
    const { repo, document } = m;
    const needs = [
      ...document.blobs.flatMap((d) => this.blobs.get(stateKey(repo, d)) ?? []),
      ...document.children.flatMap((d) => this.manifests.get(stateKey(repo, d)) ?? []),
    ];
    const key = stateKey(repo, document.digest);
    this.manifests.set(key, this.ask(key, this.held.manifests, score, head, needs));
  }

  hasManifest(key: string): Promise<boolean> {
    return this.manifests.get(key) ?? Promise.resolve(false);
  }

  /** What the sink holds, once every answer is in; fails with the first failed request. */
  async all(): Promise<{ blobs: Set<string>; manifests: Set<string> }> {
    await Promise.all(this.pending);
    return this.held;
  }

  /** Known for a whole image, absent when one of `needs` is, else asked with `head`. */
  private ask(
    key: string,
    held: Set<string>,
    score: number,
    head: () => Promise<boolean>,
    needs: ReadonlyArray<Promise<boolean>>,
  ): Promise<boolean> {
    const answer = this.whole(key).then((known) =>
      known
        ? true
        : Promise.all(needs).then((yes) => (yes.every(Boolean) ? this.slots(score, head) : false)),
    );
    const noted = answer.then((yes) => {
      if (yes) held.add(key);
      return yes;
    });
    this.pending.push(noted);
    // Read by whoever needs it; a failure also shows in all().
    noted.catch(() => undefined);
    return noted;
  }
}

/**
 * Whether repo@digest is in the closure of an image whose tag already names
 * its digest: waits only for the tags of the images of that repository
 * that hold it (none: answered at once).
 */
function wholeContent(
  planned: readonly PlannedImage[],
  tags: TagAnswers,
): (key: string) => Promise<boolean> {
  const candidates = new Map<string, Array<{ tag: string; digest: string }>>();
  for (const { request, graph } of planned) {
    const { repository, tag } = request.to;
    if (tag === undefined) continue;
    const image = { tag: `${repository}:${tag}`, digest: graph.top.digest };
    for (const d of [...graph.blobs, ...graph.documents]) {
      const key = stateKey(repository, d.digest);
      candidates.set(key, [...(candidates.get(key) ?? []), image]);
    }
  }
  return async (key) => {
    const images = candidates.get(key) ?? [];
    const named = await Promise.all(images.map(async (i) => (await tags.get(i.tag)) === i.digest));
    return named.some(Boolean);
  };
}
