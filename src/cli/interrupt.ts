/**
 * Ctrl-C (SIGINT) and SIGTERM become an abort: the core stops, removes its
 * temporary files and fails with E_INTERRUPTED, so that the command exits
 * 130 with a message saying how to resume.
 */
import { setMaxListeners } from 'node:events';
import { BmpackError } from '../errors.js';

/**
 * Runs `work` with an abort signal tied to SIGINT and SIGTERM. `done`, when
 * given, says what was finished; an interruption's message ends with it.
 */
export async function withInterrupt<T>(
  work: (signal: AbortSignal) => Promise<T>,
  done?: () => string,
): Promise<T> {
  const controller = new AbortController();
  // Every request in flight (undici) and every retry wait listens on this
  // one signal: with --concurrency above 10, Node's leak warning would fire.
  setMaxListeners(Infinity, controller.signal);
  const onSignal = (name: string) => (): void => {
    controller.abort(
      new BmpackError('E_INTERRUPTED', `interrupted by ${name}`, {
        hint: 'Nothing half-done was left at the output. Run the same command again to resume: finished work is kept.',
      }),
    );
  };
  const int = onSignal('SIGINT');
  const term = onSignal('SIGTERM');
  process.once('SIGINT', int);
  process.once('SIGTERM', term);
  try {
    return await work(controller.signal);
  } catch (err) {
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof BmpackError) {
      if (done === undefined) throw reason;
      throw new BmpackError(reason.code, `${reason.message}; done before stopping: ${done()}`, {
        ...(reason.hint !== undefined ? { hint: reason.hint } : {}),
        details: reason.details,
      });
    }
    throw err;
  } finally {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  }
}
