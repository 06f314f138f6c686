/**
 * A response body read whole, up to a bound: JSON documents (manifests,
 * tag lists) are small, and a registry that sends more is not answering
 * what was asked. `tooLarge` makes the error, in the caller's words.
 */
import { asBuffer } from '../../content/as-buffer.js';
import type { HttpResponse } from './transport.js';

export async function boundedBody(
  res: HttpResponse,
  max: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = asBuffer(chunk);
    size += buf.length;
    if (size > max) {
      res.body.destroy();
      throw tooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
