import { expect } from 'chai';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { XzWriter, decompressXzFile, readXzIndex } from '../../src/xz/index.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { collect, data } from './xz-kit.js';

const BLOCK = 3 * 64 * 1024;

/**
 * What bench/xz-throughput.bench.ts checks besides speed, at a test's size:
 * blocks fed in writes that do not line up with the 64 KiB chunks (a first
 * write of 512 bytes) decode back to the same bytes, one index entry per block.
 */
describe('XzWriter round trip with misaligned writes', () => {
  it('decodes back byte for byte, with one index entry per block', async () => {
    const work = await makeTempDir('bmpack-xz-');
    try {
      const input = data(9, 100_000);
      const file = join(work.path, 'round-trip.xz');
      const writer = new XzWriter(createWriteStream(file), { end: true });
      const expected: Buffer[] = [];
      for (let block = 0; block < 3; block++) {
        await writer.beginBlock(BLOCK);
        const first = input.subarray(0, 512);
        await writer.write(first);
        expected.push(first);
        for (let at = 512; at < BLOCK; at += input.length) {
          const part = input.subarray(0, Math.min(input.length, BLOCK - at));
          await writer.write(part);
          expected.push(part);
        }
        await writer.endBlock();
      }
      expect((await writer.finish()).uncompressedSize).to.equal(3 * BLOCK);
      expect((await collect(decompressXzFile(file))).equals(Buffer.concat(expected))).to.equal(
        true,
      );
      expect((await readXzIndex(file)).blocks).to.have.length(3);
    } finally {
      await work.stop();
    }
  });
});
