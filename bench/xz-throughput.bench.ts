import { expect } from 'chai';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { XzWriter, decompressXzFile, readXzIndex } from '../src/xz/index.js';
import { makeTempDir, type TrackedDir } from '../test/rig/temp-dir.js';
import { data } from '../test/xz/xz-kit.js';

const TOTAL = 256 * 1024 * 1024;
const BLOCK = 32 * 1024 * 1024;

/** Writes TOTAL bytes in 1 MiB writes (the first one 512 bytes, to misalign chunks) and returns GB/s. */
async function writeAll(sink: Writable): Promise<number> {
  const input = data(9, 1024 * 1024);
  const writer = new XzWriter(sink, { end: true });
  const started = performance.now();
  for (let done = 0; done < TOTAL; done += BLOCK) {
    await writer.beginBlock(BLOCK);
    await writer.write(input.subarray(0, 512));
    for (let at = 512; at < BLOCK; at += input.length) {
      await writer.write(input.subarray(0, Math.min(input.length, BLOCK - at)));
    }
    await writer.endBlock();
  }
  const summary = await writer.finish();
  expect(summary.uncompressedSize).to.equal(TOTAL);
  return TOTAL / ((performance.now() - started) / 1000) / 1e9;
}

/** The same amount written by a plain WriteStream, for comparison: GB/s. */
async function plainWrite(path: string): Promise<number> {
  const input = data(9, 1024 * 1024);
  const sink = createWriteStream(path, { highWaterMark: 1024 * 1024 });
  const started = performance.now();
  for (let done = 0; done < TOTAL; done += input.length) {
    if (!sink.write(input)) await once(sink, 'drain');
  }
  sink.end();
  await finished(sink);
  return TOTAL / ((performance.now() - started) / 1000) / 1e9;
}

describe('xz throughput (printed, not asserted)', () => {
  let work: TrackedDir;
  before(async () => {
    work = await makeTempDir('bmpack-xz-');
  });
  after(async () => {
    await work.stop();
  });

  it('XzWriter over 256 MiB, to a discarding sink and to a file; decoding it back', async function () {
    this.timeout(120_000);
    const discard = (): Writable =>
      new Writable({
        highWaterMark: 1024 * 1024,
        write: (_chunk, _enc, done) => {
          done();
        },
        writev: (_chunks, done) => {
          done();
        },
      });
    const memory = await writeAll(discard());
    const baseline = await plainWrite(join(work.path, 'baseline.bin'));
    const file = join(work.path, 'throughput.xz');
    const disk = await writeAll(createWriteStream(file, { highWaterMark: 1024 * 1024 }));
    const started = performance.now();
    let bytes = 0;
    for await (const chunk of decompressXzFile(file)) bytes += (chunk as Buffer).length;
    const read = bytes / ((performance.now() - started) / 1000) / 1e9;
    expect(bytes).to.equal(TOTAL);
    expect((await readXzIndex(file)).blocks.length).to.equal(TOTAL / BLOCK);
    console.log(
      `      XzWriter: ${memory.toFixed(2)} GB/s to a discarding sink, ${disk.toFixed(2)} GB/s to a file ` +
        `(plain fs writes of the same bytes: ${baseline.toFixed(2)} GB/s); decompressXzFile: ${read.toFixed(2)} GB/s`,
    );
  });
});
