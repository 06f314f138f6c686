/**
 * Every image's closure, walked in the bundle: which images use each blob
 * (so that every problem can name them), which configs and layers are
 * absent — problems in a full bundle, what the base must supply in a delta
 * — and descriptors whose size differs from what the bundle holds.
 * Documents that fail their digest or lie in a damaged xz Block are left to
 * the blob and xz checks, which report them with the same blob named.
 */
import type { BundleSource } from '../bundle-reader/index.js';
import type { ErrorCode } from '../errors.js';
import { walkFrom, type GraphItem } from '../graph/index.js';
import { anyRepository, BundleImageSource } from '../store/index.js';
import type { BaseBlob, VerifyProblem } from './verify-report.js';

export interface ImageClosure {
  readonly ref: string;
  readonly items: readonly GraphItem[];
  /** True when every manifest and index of the image could be read. */
  readonly whole: boolean;
}

export interface ClosureFindings {
  readonly images: readonly ImageClosure[];
  /** Digest → the images that use it, in bundle order. */
  readonly users: ReadonlyMap<string, readonly string[]>;
  readonly fromBase: readonly BaseBlob[];
  readonly problems: readonly VerifyProblem[];
}

/** Reported, with the blob named, by the blob and xz checks. */
const leftToBlobCheck: readonly ErrorCode[] = ['E_DIGEST_MISMATCH', 'E_XZ_INVALID'];

/** `documents`: manifests and indexes the workers read and verified. */
export async function checkClosures(
  source: BundleSource,
  documents: ReadonlyMap<string, Buffer>,
): Promise<ClosureFindings> {
  const images: ImageClosure[] = [];
  const users = new Map<string, string[]>();
  const problems: VerifyProblem[] = [];
  const store = new BundleImageSource(source);
  for (const image of source.images) {
    const closure = await walkFrom(store, anyRepository, image.descriptor, {
      name: image.name,
      where: `in ${source.path}`,
      tolerant: true,
      documents,
    });
    for (const item of closure.items)
      users.set(item.digest, [...(users.get(item.digest) ?? []), image.name]);
    for (const f of closure.faults) {
      if (f.error !== undefined && leftToBlobCheck.includes(f.error.code)) continue;
      problems.push({
        check: 'closure',
        code: f.missing ? 'E_CLOSURE_MISSING' : (f.error?.code ?? 'E_BUNDLE_INVALID'),
        message: f.missing
          ? `manifest ${f.digest} of image ${image.name} is not in the bundle`
          : `manifest ${f.digest} of image ${image.name} cannot be read: ${f.error?.message ?? ''}`,
        blob: f.digest,
        images: [image.name],
      });
    }
    images.push({ ref: image.name, items: closure.items, whole: closure.faults.length === 0 });
  }
  const absent = absentBlobs(source, images, users);
  const delta = source.metadata?.base !== undefined;
  return {
    images,
    users,
    fromBase: delta ? absent : [],
    problems: [
      ...problems,
      ...(delta ? [] : absent.map(missingProblem)),
      ...sizeProblems(source, images, users),
    ],
  };
}

/** Configs and layers that images name and the bundle does not hold. */
function absentBlobs(
  source: BundleSource,
  images: readonly ImageClosure[],
  users: ReadonlyMap<string, readonly string[]>,
): BaseBlob[] {
  const out = new Map<string, BaseBlob>();
  for (const image of images)
    for (const item of image.items) {
      if (item.kind !== 'config' && item.kind !== 'layer') continue;
      if (source.blobSize(item.digest) !== undefined || out.has(item.digest)) continue;
      out.set(item.digest, {
        digest: item.digest,
        size: item.size,
        mediaType: item.mediaType,
        images: users.get(item.digest) ?? [],
      });
    }
  return [...out.values()];
}

function missingProblem(b: BaseBlob): VerifyProblem {
  return {
    check: 'closure',
    code: 'E_CLOSURE_MISSING',
    message: `blob ${b.digest} is not in the bundle (used by ${b.images.join(', ')})`,
    blob: b.digest,
    images: b.images,
  };
}

function sizeProblems(
  source: BundleSource,
  images: readonly ImageClosure[],
  users: ReadonlyMap<string, readonly string[]>,
): VerifyProblem[] {
  const seen = new Set<string>();
  const out: VerifyProblem[] = [];
  for (const image of images)
    for (const item of image.items) {
      const stored = source.blobSize(item.digest);
      if (stored === undefined || stored === item.size || seen.has(item.digest)) continue;
      seen.add(item.digest);
      const used = users.get(item.digest) ?? [];
      out.push({
        check: 'closure',
        code: 'E_SIZE_MISMATCH',
        message: `blob ${item.digest} is ${stored} bytes in the bundle, but its descriptor says ${item.size} (used by ${used.join(', ')})`,
        blob: item.digest,
        images: used,
      });
    }
  return out;
}
