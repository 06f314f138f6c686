/**
 * How soon a blob should move, higher first: the sink's rank when it has
 * one (the bundle writer's order), else its size (a big layer started last
 * would finish alone). The sink's questions and the transfers both go in
 * this order.
 */
export function blobPriority(
  rank: ((digest: string) => number) | undefined,
  blob: { readonly digest: string; readonly size: number },
): number {
  return rank !== undefined ? -rank(blob.digest) : blob.size;
}
