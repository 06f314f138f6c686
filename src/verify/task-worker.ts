/**
 * The entry point of a verify worker, as a worker thread or as a child
 * process (the pool measures both, see worker-pool.ts): take tasks one at a
 * time, run them, report bytes as they pass (batched, so that messages stay
 * few) and each outcome.
 */
import { parentPort } from 'node:worker_threads';
import { runTask } from './run-task.js';
import type { VerifyTask, WorkerMessage } from './verify-task.js';

/** Progress is sent at most once per this many bytes. */
const progressBatch = 8 * 1024 * 1024;

function serve(post: (m: WorkerMessage) => void): (task: VerifyTask) => Promise<void> {
  return async (task) => {
    let pending = 0;
    const onBytes = (n: number): void => {
      pending += n;
      if (pending < progressBatch) return;
      post({ type: 'bytes', n: pending });
      pending = 0;
    };
    try {
      const outcome = await runTask(task, onBytes);
      if (pending > 0) post({ type: 'bytes', n: pending });
      post({ type: 'done', outcome });
    } catch (err) {
      post({
        type: 'error',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  };
}

const port = parentPort;
if (port !== null) {
  const handle = serve((m) => {
    port.postMessage(m);
  });
  port.on('message', (task: VerifyTask) => void handle(task));
} else if (process.send !== undefined) {
  const handle = serve((m) => process.send?.(m));
  process.on('message', (task: VerifyTask) => void handle(task));
  // The pool going away (or dying) ends the child.
  process.on('disconnect', () => process.exit(0));
}
