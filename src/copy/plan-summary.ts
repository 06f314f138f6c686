/** A copy plan as data (what a dry run reports). Pure. */
import type { CopyPlan } from './copy-plan.js';

export interface PlanSummary {
  readonly uploads: ReadonlyArray<{
    readonly repo: string;
    readonly digest: string;
    readonly size: number;
  }>;
  readonly mounts: ReadonlyArray<{
    readonly repo: string;
    readonly digest: string;
    readonly from: string;
  }>;
  readonly skipped: number;
  readonly manifests: number;
  readonly tags: ReadonlyArray<{ readonly image: string; readonly skip: boolean }>;
  readonly bytesToUpload: number;
}

export function summarizePlan(plan: CopyPlan): PlanSummary {
  const uploads = plan.blobs.flatMap((a) =>
    a.kind === 'upload' ? [{ repo: a.repo, digest: a.blob.digest, size: a.blob.size }] : [],
  );
  return {
    uploads,
    mounts: plan.blobs.flatMap((a) =>
      a.kind === 'mount' ? [{ repo: a.repo, digest: a.blob.digest, from: a.from }] : [],
    ),
    skipped: plan.blobs.filter((a) => a.kind === 'skip').length,
    manifests: plan.manifests.filter((m) => !m.skip).length,
    tags: plan.tags.map((t) => ({ image: t.image, skip: t.skip })),
    bytesToUpload: uploads.reduce((s, u) => s + u.size, 0),
  };
}
