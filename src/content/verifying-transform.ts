/**
 * A Transform that passes bytes through a ContentVerifier. The digest is
 * checked in flush(), before the stream ends, so whatever consumes it (a
 * file rename, an upload's closing PUT) never sees a clean end of bad data.
 */
import { Transform } from 'node:stream';
import type { ContentVerifier } from './verifier.js';

export function verifyingTransform(
  verifier: ContentVerifier,
  onBytes?: (n: number) => void,
): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        verifier.update(chunk);
        onBytes?.(chunk.length);
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        verifier.finish();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
