/**
 * Slots for jobs that, when a slot frees, go best first among those
 * waiting: questions and transfers become ready in the order a registry
 * answers, not in the order wanted, so a FIFO queue would serve them in
 * the wrong order.
 */
export type BestFirst = <T>(score: number, job: () => Promise<T>) => Promise<T>;

/** At most `concurrency` jobs at once; the highest score waiting starts next. */
export function bestFirst(concurrency: number): BestFirst {
  const waiting: Array<{ score: number; start: () => void }> = [];
  let running = 0;
  const next = (): void => {
    while (running < concurrency && waiting.length > 0) {
      let pick = 0;
      for (let i = 1; i < waiting.length; i++)
        if ((waiting[i]?.score ?? 0) > (waiting[pick]?.score ?? 0)) pick = i;
      const [job] = waiting.splice(pick, 1);
      running++;
      job?.start();
    }
  };
  return <T>(score: number, job: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({
        score,
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
