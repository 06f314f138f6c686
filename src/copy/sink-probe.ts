/**
 * Ask the sink what it already has, concurrently: first every tag; an
 * image whose tag already names its digest is whole there (a registry takes
 * a manifest only when the blobs and child manifests it lists exist —
 * distribution-spec "Pushing Manifests", MANIFEST_BLOB_UNKNOWN — and never
 * collects referenced content), so its closure needs no further requests.
 * For every other image, HEAD each blob and manifest in its repository
 * (a manifest only when everything it lists is there: otherwise the
 * registry cannot hold it).
 *
 * The answers are promises, per blob and per manifest, so that a copy can
 * start moving a blob as soon as the sink has answered for it (largest
 * blobs are asked about first), and `state` once every answer is in.
 */
import type pLimit from 'p-limit';
import type { ImageSink } from '../store/index.js';
import { stateKey, type CopyWork, type ManifestWork, type SinkState } from './copy-plan.js';
import type { CopyRequest, PlannedImage } from './copy-request.js';

export interface SinkProbe {
  /** `repo:tag` → the digest it names, for every image's tag that exists. */
  readonly tags: ReadonlyMap<string, string>;
  /** The repositories (of those that need it) that hold a blob. */
  holders(digest: string): Promise<readonly string[]>;
  /** Whether a repository holds a manifest. */
  hasManifest(repo: string, digest: string): Promise<boolean>;
  /** Every answer, once all are in; fails with the first request that failed. */
  readonly state: Promise<SinkState>;
}

type Limit = ReturnType<typeof pLimit>;

/** Asks the sink about every image's tag. */
export async function readTags(
  sink: ImageSink,
  images: readonly CopyRequest[],
  limit: Limit,
): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  const seen = new Set<string>();
  const jobs: Array<Promise<void>> = [];
  for (const { to } of images) {
    const { repository, tag } = to;
    if (tag === undefined || seen.has(`${repository}:${tag}`)) continue;
    seen.add(`${repository}:${tag}`);
    jobs.push(
      limit(async () => {
        const found = await sink.tagDigest(repository, tag);
        if (found !== undefined) tags.set(`${repository}:${tag}`, found);
      }),
    );
  }
  await Promise.all(jobs);
  return tags;
}

/** Starts every question the plan needs, largest blobs first; `tags` from {@link readTags}. */
export function probeSink(
  sink: ImageSink,
  planned: readonly PlannedImage[],
  work: CopyWork,
  tags: ReadonlyMap<string, string>,
  limit: Limit,
): SinkProbe {
  const answers = new Answers(wholeContent(planned, tags), limit);
  const holders = new Map<string, Promise<readonly string[]>>();
  const bySize = [...work.digests].sort((a, b) => b.blob.size - a.blob.size);
  for (const { blob, repos } of bySize) {
    const held = repos.map((repository) =>
      answers.blob(stateKey(repository, blob.digest), async () => {
        return (await sink.blobSize(repository, blob.digest)) === blob.size;
      }),
    );
    const found = Promise.all(held).then((yes) => repos.filter((_, i) => yes[i] === true));
    found.catch(() => undefined);
    holders.set(blob.digest, found);
  }
  for (const m of work.manifests)
    answers.manifest(m, () => sink.hasManifest(m.repo, m.document.digest));
  const state = answers.all().then(({ blobs, manifests }) => ({ blobs, manifests, tags }));
  state.catch(() => undefined);
  return {
    tags,
    holders: (digest) => holders.get(digest) ?? Promise.resolve([]),
    hasManifest: (repo, digest) => answers.hasManifest(stateKey(repo, digest)),
    state,
  };
}

/** The sink's answers, by repo@digest, as they come in. */
class Answers {
  private readonly blobs = new Map<string, Promise<boolean>>();
  private readonly manifests = new Map<string, Promise<boolean>>();
  private readonly held = { blobs: new Set<string>(), manifests: new Set<string>() };
  private readonly pending: Array<Promise<unknown>> = [];

  constructor(
    /** What whole images hold: known without asking. */
    private readonly whole: ReadonlySet<string>,
    private readonly limit: Limit,
  ) {}

  blob(key: string, head: () => Promise<boolean>): Promise<boolean> {
    const answer = this.ask(key, this.held.blobs, head, []);
    this.blobs.set(key, answer);
    return answer;
  }

  /**
   * A registry holds a manifest only with everything it lists (children
   * first, as manifests come): one whose blob or child is absent is absent
   * too, and is not asked about.
   */
  manifest(m: ManifestWork, head: () => Promise<boolean>): void {
    const { repo, document } = m;
    const needs = [
      ...document.blobs.flatMap((d) => this.blobs.get(stateKey(repo, d)) ?? []),
      ...document.children.flatMap((d) => this.manifests.get(stateKey(repo, d)) ?? []),
    ];
    const key = stateKey(repo, document.digest);
    this.manifests.set(key, this.ask(key, this.held.manifests, head, needs));
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
    head: () => Promise<boolean>,
    needs: ReadonlyArray<Promise<boolean>>,
  ): Promise<boolean> {
    const answer = this.whole.has(key)
      ? Promise.resolve(true)
      : Promise.all(needs).then((yes) => (yes.every(Boolean) ? this.limit(head) : false));
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

/** Everything in the closure of an image whose tag already names its digest. */
function wholeContent(
  planned: readonly PlannedImage[],
  tags: ReadonlyMap<string, string>,
): Set<string> {
  const whole = new Set<string>();
  for (const { request, graph } of planned) {
    const { repository, tag } = request.to;
    if (tag === undefined || tags.get(`${repository}:${tag}`) !== graph.top.digest) continue;
    for (const b of graph.blobs) whole.add(stateKey(repository, b.digest));
    for (const d of graph.documents) whole.add(stateKey(repository, d.digest));
  }
  return whole;
}
