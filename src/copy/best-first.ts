/**
 * Slots for jobs that, when a slot frees, go best first among those
 * waiting: questions and transfers become ready in the order a registry
 * answers, not in the order wanted, so a FIFO queue would serve them in
 * the wrong order. Equal scores go first come, first served. The waiting
 * jobs are a binary heap: a push of 400 images waits with thousands.
 *
 * A job queued with a key can be raised while it waits: a push asks about
 * every tag before it knows which images hold the blobs it moves first,
 * then raises those tags' questions (sink-probe.ts).
 */
export interface BestFirst {
  <T>(score: number, job: () => Promise<T>, key?: string): Promise<T>;
  /** Gives the waiting job queued with `key` this score, if higher; nothing once it started. */
  raise(key: string, score: number): void;
}

interface Waiting {
  score: number;
  /** Arrival order, for ties. */
  readonly seq: number;
  /** Where it is in the heap. */
  at: number;
  readonly key: string | undefined;
  readonly start: () => void;
}

/** At most `concurrency` jobs at once; the highest score waiting starts next. */
export function bestFirst(concurrency: number): BestFirst {
  const heap: Waiting[] = [];
  const keyed = new Map<string, Waiting>();
  let running = 0;
  let seq = 0;
  const next = (): void => {
    while (running < concurrency) {
      const job = pop(heap);
      if (job === undefined) return;
      if (job.key !== undefined) keyed.delete(job.key);
      running++;
      job.start();
    }
  };
  const slots = <T>(score: number, job: () => Promise<T>, key?: string) =>
    new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        score,
        seq: seq++,
        at: heap.length,
        key,
        start: () => {
          job()
            .then(resolve, reject)
            .finally(() => {
              running--;
              next();
            });
        },
      };
      if (key !== undefined) keyed.set(key, waiting);
      heap.push(waiting);
      siftUp(heap, waiting);
      next();
    });
  slots.raise = (key: string, score: number): void => {
    const waiting = keyed.get(key);
    if (waiting === undefined || score <= waiting.score) return;
    waiting.score = score;
    siftUp(heap, waiting);
  };
  return slots;
}

/** Whether `a` goes before `b`. */
function before(a: Waiting, b: Waiting): boolean {
  return a.score > b.score || (a.score === b.score && a.seq < b.seq);
}

function place(heap: Waiting[], item: Waiting, at: number): void {
  heap[at] = item;
  item.at = at;
}

function siftUp(heap: Waiting[], item: Waiting): void {
  for (let i = item.at; i > 0;) {
    const up = (i - 1) >> 1;
    const parent = heap[up];
    if (parent === undefined || !before(item, parent)) break;
    place(heap, parent, i);
    place(heap, item, up);
    i = up;
  }
}

function pop(heap: Waiting[]): Waiting | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  place(heap, last, 0);
  for (let i = 0; ;) {
    const l = 2 * i + 1;
    let best = i;
    const left = heap[l];
    const right = heap[l + 1];
    if (left !== undefined && before(left, heap[best] ?? last)) best = l;
    if (right !== undefined && before(right, heap[best] ?? last)) best = l + 1;
    if (best === i) return top;
    const swap = heap[best] ?? last;
    place(heap, last, best);
    place(heap, swap, i);
    i = best;
  }
}
