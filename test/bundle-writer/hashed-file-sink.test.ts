import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { expect } from 'chai';
import { HashedFileSink, remainder } from '../../src/bundle-writer/hashed-file-sink.js';
import { Sha256Worker } from '../../src/content/hash-worker.js';
import { SyncAhead } from '../../src/fs/sync-ahead.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

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

  function open(): {
    path: string;
    fd: number;
    hash: Sha256Worker;
    sink: HashedFileSink;
    seen: number[];
  } {
    const path = join(dir.path, 'f');
    const fd = openSync(path, 'wx');
    const hash = new Sha256Worker();
    hashes.push(hash);
    const seen: number[] = [];
    const sink = new HashedFileSink({
      fd,
      hash,
      syncAhead: new SyncAhead(fd),
      onWritten: (n) => seen.push(n),
    });
    return { path, fd, hash, sink, seen };
  }

  it('writes every chunk in order and hashes exactly the bytes written', async () => {
    const { path, fd, hash, sink, seen } = open();
    const chunks = Array.from({ length: 300 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 70000), i));
    for (const c of chunks) sink.write(c);
    sink.end();
    await finished(sink);
    closeSync(fd);
    const expected = Buffer.concat(chunks);
    const file = await readFile(path);
    expect(file.equals(expected)).to.equal(true);
    expect(await hash.finish()).to.equal(createHash('sha256').update(expected).digest('hex'));
    expect(sink.size).to.equal(expected.length);
    expect(sink.written).to.equal(expected.length);
    expect(seen.at(-1)).to.equal(expected.length);
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).to.equal(true);
  });

  it('writes more buffered chunks than one writev takes (IOV_MAX) in several calls', async () => {
    const { path, fd, sink } = open();
    sink.cork();
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from([i % 251, (i * 3) % 256, 7]));
    for (const c of chunks) sink.write(c);
    sink.uncork();
    sink.end();
    await finished(sink);
    closeSync(fd);
    expect((await readFile(path)).equals(Buffer.concat(chunks))).to.equal(true);
  });

  it('when destroyed during a write, closes only after that write returned', async () => {
    const { fd, sink } = open();
    const big = Buffer.alloc(64 * 1024 * 1024, 1);
    sink.write(big);
    sink.destroy();
    await once(sink, 'close');
    // Only now may the caller close the descriptor: nothing writes to it any more.
    const written = sink.written;
    closeSync(fd);
    expect(written).to.equal(big.length);
  });

  it('resumes a short write with what the kernel did not take', () => {
    const a = Buffer.from('abc');
    const b = Buffer.from('defg');
    expect(remainder([a, b], 0).map(String)).to.deep.equal(['abc', 'defg']);
    expect(remainder([a, b], 2).map(String)).to.deep.equal(['c', 'defg']);
    expect(remainder([a, b], 3).map(String)).to.deep.equal(['defg']);
    expect(remainder([a, b], 5).map(String)).to.deep.equal(['fg']);
    expect(remainder([a, b], 7)).to.deep.equal([]);
  });
});
