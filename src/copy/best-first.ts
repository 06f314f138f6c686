/**
 * Slots for jobs that, when a slot frees, go best first among those
 * waiting: questions and transfers become ready in the order a registry
 * answers, not in the order wanted, so a FIFO queue would serve them in
 * the wrong order. Equal scores go first come, first served. The waiting
 * jobs are a binary heap: a push of 400 images waits with thousands.
 */
export type BestFirst = <T>(score: number, job: () => Promise<T>) => Promise<T>;

interface Waiting {
  readonly score: number;
  /** Arrival order, for ties. */
  readonly seq: number;
  readonly start: () => void;
}

/** At most `concurrency` jobs at once; the highest score waiting starts next. */
export function bestFirst(concurrency: number): BestFirst {
  const heap: Waiting[] = [];
  let running = 0;
  let seq = 0;
  const next = (): void => {
    while (running < concurrency) {
      const job = pop(heap);
      if (job === undefined) return;
      running++;
      job.start();
    }
  };
  return <T>(score: number, job: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      push(heap, {
        score,
        seq: seq++,
        start: () => {
          job()
            .then(resolve, reject)
            .finally(() => {
              running--;
              next();
            });
        },
      });
      next();
    });
}

/** Whether `a` goes before `b`. */
function before(a: Waiting, b: Waiting): boolean {
  return a.score > b.score || (a.score === b.score && a.seq < b.seq);
}

function push(heap: Waiting[], item: Waiting): void {
  heap.push(item);
  for (let i = heap.length - 1; i > 0;) {
    const up = (i - 1) >> 1;
    const parent = heap[up];
    if (parent === undefined || !before(item, parent)) break;
    heap[i] = parent;
    heap[up] = item;
    i = up;
  }
}

function pop(heap: Waiting[]): Waiting | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  heap[0] = last;
  for (let i = 0; ;) {
    const l = 2 * i + 1;
    let best = i;
    const left = heap[l];
    const right = heap[l + 1];
    if (left !== undefined && before(left, heap[best] ?? last)) best = l;
    if (right !== undefined && before(right, heap[best] ?? last)) best = l + 1;
    if (best === i) return top;
    const swap = heap[best] ?? last;
    heap[best] = last;
    heap[i] = swap;
    i = best;
  }
}
