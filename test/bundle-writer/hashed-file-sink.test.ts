import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, write } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import {
  HashedFileSink,
  type HashedFileSinkOptions,
  type PositionalWrite,
} from '../../src/bundle-writer/hashed-file-sink.js';
import { Sha256Worker } from '../../src/content/hash-worker.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

const realWrite: PositionalWrite = promisify(write);
const slotSize = 64 * 1024;

describe('HashedFileSink', () => {
  let dir: TrackedDir;
  let hashes: Sha256Worker[] = [];
  beforeEach(async () => {
    dir = await makeTempDir('hashed-file-sink');
  });
  afterEach(async () => {
    // A worker left running would keep the test process alive.
    await Promise.all(hashes.map((h) => h.abandon()));
    hashes = [];
    await dir.stop();
  });

  async function open(o: Partial<HashedFileSinkOptions> = {}): Promise<{
    path: string;
    hash: Sha256Worker;
    sink: HashedFileSink;
    released: number[];
  }> {
    const path = join(dir.path, 'f');
    const hash = new Sha256Worker();
    hashes.push(hash);
    const released: number[] = [];
    const sink = await HashedFileSink.create(path, {
      hash,
      slots: 4,
      slotSize,
      onReleased: (n) => released.push(n),
      ...o,
    });
    return { path, hash, sink, released };
  }

  async function writeAll(sink: HashedFileSink, chunks: readonly Buffer[]): Promise<void> {
    for (const c of chunks) sink.write(c);
    sink.end();
    await finished(sink);
    await sink.sync();
    await sink.close();
  }

  /** Chunks of odd sizes that cross slot boundaries, 300 KiB or so in all (not a 4 KiB multiple). */
  function oddChunks(): Buffer[] {
    return Array.from({ length: 40 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 15000), i));
  }

  it('writes past the page cache on this machine, every byte in order, hashing exactly them', async () => {
    const { path, hash, sink, released } = await open();
    expect(sink.direct, 'O_DIRECT on the test folder').to.equal(true);
    const chunks = oddChunks();
    await writeAll(sink, chunks);
    const expected = Buffer.concat(chunks);
    expect(expected.length % 4096).to.not.equal(0);
    const file = await readFile(path);
    // The last slot went out padded to 4 KiB; the padding is cut off again.
    expect(file.length).to.equal(expected.length);
    expect(file.equals(expected)).to.equal(true);
    expect(await hash.finish()).to.equal(createHash('sha256').update(expected).digest('hex'));
    expect(sink.size).to.equal(expected.length);
    expect(released.at(-1)).to.equal(expected.length);
    expect(released.every((n, i) => i === 0 || n > released[i - 1]!)).to.equal(true);
  });

  it('writes the same bytes through the page cache when asked to', async () => {
    const { path, hash, sink } = await open({ direct: false });
    expect(sink.direct).to.equal(false);
    const chunks = oddChunks();
    await writeAll(sink, chunks);
    const expected = Buffer.concat(chunks);
    expect((await readFile(path)).equals(expected)).to.equal(true);
    expect(await hash.finish()).to.equal(createHash('sha256').update(expected).digest('hex'));
  });

  it('goes on through the page cache when the filesystem refuses a direct write (EINVAL)', async () => {
    let refused = 0;
    const refusing: PositionalWrite = async (fd, buffer, offset, length, position) => {
      if (refused < 2 && position >= slotSize) {
        refused++;
        throw Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
      }
      return realWrite(fd, buffer, offset, length, position);
    };
    const { path, hash, sink } = await open({ write: refusing });
    const chunks = oddChunks();
    await writeAll(sink, chunks);
    const expected = Buffer.concat(chunks);
    expect(refused).to.be.greaterThan(0);
    expect(sink.direct).to.equal(false);
    expect((await readFile(path)).equals(expected)).to.equal(true);
    expect(await hash.finish()).to.equal(createHash('sha256').update(expected).digest('hex'));
  });

  it('fails with the write error of any slot, not only the last', async () => {
    const failing: PositionalWrite = async (fd, buffer, offset, length, position) => {
      if (position === slotSize) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      return realWrite(fd, buffer, offset, length, position);
    };
    const { sink } = await open({ write: failing });
    for (const c of oddChunks()) sink.write(c);
    sink.end();
    const err = await finished(sink).then(
      () => undefined,
      (e: unknown) => e,
    );
    await sink.close();
    expect(err).to.have.property('code', 'ENOSPC');
  });

  it('takes more small chunks at once than one write would (a corked burst)', async () => {
    const { path, sink } = await open();
    sink.cork();
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from([i % 251, (i * 3) % 256, 7]));
    for (const c of chunks) sink.write(c);
    sink.uncork();
    await writeAll(sink, []);
    expect((await readFile(path)).equals(Buffer.concat(chunks))).to.equal(true);
  });

  it('when destroyed mid-stream, writes nothing after its close returned', async () => {
    let writing = 0;
    let afterClose = 0;
    let closed = false;
    const slow: PositionalWrite = async (fd, buffer, offset, length, position) => {
      if (closed) afterClose++;
      writing++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        return await realWrite(fd, buffer, offset, length, position);
      } finally {
        writing--;
      }
    };
    const { sink } = await open({ write: slow });
    sink.on('error', () => undefined);
    for (let i = 0; i < 40; i++) sink.write(Buffer.alloc(slotSize, i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    sink.destroy();
    await sink.close();
    closed = true;
    expect(writing).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(afterClose).to.equal(0);
  });

  it('refuses to open a file that exists (the temporary name is its own)', async () => {
    const path = join(dir.path, 'taken');
    await writeFile(path, 'x');
    const hash = new Sha256Worker();
    hashes.push(hash);
    const err = await HashedFileSink.create(path, { hash }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'EEXIST');
    expect((await stat(path)).size).to.equal(1);
  });

  it('closes its descriptor once, however often it is asked', async () => {
    const { sink } = await open();
    await writeAll(sink, oddChunks());
    // writeAll closed it already; a second close must not close whatever took the number since.
    const other = openSync(join(dir.path, 'other'), 'w');
    try {
      await sink.close();
      expect(() => fstatSync(other)).to.not.throw();
    } finally {
      closeSync(other);
    }
  });
});
