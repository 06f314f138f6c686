/**
 * One blob in the relay (blob-relay.ts): where its delivery stands, the
 * pieces held for the writer, and a wake-up for whoever waits on it.
 */

export type State = 'waiting' | 'arriving' | 'done' | 'spilling' | 'spilled' | 'failed';

export interface Entry {
  readonly digest: string;
  state: State;
  readonly chunks: Buffer[];
  /** The writer is reading it: never paused, never spilled. */
  reading: boolean;
  error?: unknown;
  /** Wakes whoever waits on this entry: the writer (new chunks, a new state) or a paused delivery. */
  wake: () => void;
  changed: Promise<void>;
}

/** The entry's state now (another task may have changed it while this one awaited). */
export function stateOf(e: Entry): State {
  return e.state;
}

export function newEntry(digest: string): Entry {
  const e: Entry = {
    digest,
    state: 'waiting',
    chunks: [],
    reading: false,
    wake: () => undefined,
    changed: Promise.resolve(),
  };
  rearm(e);
  return e;
}

/** A fresh `changed` promise, resolved by the next wake. */
function rearm(e: Entry): void {
  e.changed = new Promise<void>((resolve) => {
    e.wake = () => {
      rearm(e);
      resolve();
    };
  });
}
