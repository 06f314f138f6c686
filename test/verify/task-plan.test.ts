import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { EntryWalker } from '../../src/verify/entry-walker.js';
import { planRangeTasks } from '../../src/verify/task-plan.js';
import type { RangeEntry } from '../../src/verify/verify-task.js';
import type { XzBlockInfo } from '../../src/xz/index.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Blocks of the given uncompressed sizes (only the fields the plan reads matter). */
function blocks(sizes: readonly number[]): XzBlockInfo[] {
  let at = 0;
  return sizes.map((size, i) => {
    const b = {
      compressedOffset: 12 + i * 100,
      unpaddedSize: 90,
      totalSize: 92,
      uncompressedOffset: at,
      uncompressedSize: size,
      checkType: 1,
    };
    at += size;
    return b;
  });
}

const entry = (dataOffset: number, size: number, header = false): RangeEntry => ({
  digest: `sha256:${String(dataOffset).padStart(64, '0')}`,
  size,
  dataOffset,
  ...(header ? { headerPath: `blobs/sha256/${String(dataOffset).padStart(64, '0')}` } : {}),
});

describe('bundle verify: task plan', () => {
  it('cuts a .tar.xz only at block boundaries outside blobs, every block and blob in one task', () => {
    // Blocks at 0, 1000, 2000, 3000, 4000; a blob (header at 1088) straddles 2000 and 3000.
    const entries = [entry(600, 300, true), entry(1600, 1900, true), entry(4600, 300, true)];
    const tasks = planRangeTasks({
      file: 'f',
      tarSize: 5000,
      blocks: blocks([1000, 1000, 1000, 1000, 1000]),
      entries,
      target: 1,
      firstId: 1,
    });
    expect(tasks.map((t) => [t.start, t.end])).to.deep.equal([
      [0, 1000],
      [1000, 4000],
      [4000, 5000],
    ]);
    expect(tasks.map((t) => t.id)).to.deep.equal([1, 2, 3]);
    expect(tasks.flatMap((t) => t.blocks!.map((b) => b.uncompressedOffset))).to.deep.equal([
      0, 1000, 2000, 3000, 4000,
    ]);
    expect(tasks.map((t) => t.entries.map((e) => e.dataOffset))).to.deep.equal([
      [600],
      [1600],
      [4600],
    ]);
  });

  it('keeps a header with its blob, and groups up to the target size', () => {
    // The second blob's header (512 bytes before 2100) starts before the boundary at 2000.
    const entries = [entry(512, 100, true), entry(2100, 100, true)];
    const tasks = planRangeTasks({
      file: 'f',
      tarSize: 4000,
      blocks: blocks([1000, 1000, 2000]),
      entries,
      target: 1,
      firstId: 1,
    });
    expect(tasks.map((t) => [t.start, t.end])).to.deep.equal([
      [0, 1000],
      [1000, 4000],
    ]);
    const big = planRangeTasks({
      file: 'f',
      tarSize: 4000,
      blocks: blocks([1000, 1000, 2000]),
      entries,
      target: 10_000,
      firstId: 1,
    });
    expect(big.map((t) => [t.start, t.end])).to.deep.equal([[0, 4000]]);
  });

  it('cuts a plain tar before blob headers', () => {
    const entries = [
      entry(1024, 10_000, true),
      entry(11_776, 10_000, true),
      entry(22_528, 5, true),
    ];
    const tasks = planRangeTasks({ file: 'f', tarSize: 24_576, entries, target: 5000, firstId: 1 });
    expect(tasks.map((t) => [t.start, t.end])).to.deep.equal([
      [0, 11_264],
      [11_264, 22_016],
      [22_016, 24_576],
    ]);
    expect(tasks.every((t) => t.blocks === undefined)).to.equal(true);
  });
});

describe('bundle verify: entry walker', () => {
  const data = Buffer.from('a'.repeat(700) + 'b'.repeat(300));
  const a = data.subarray(100, 400);
  const b = data.subarray(600, 1000);
  const entries: RangeEntry[] = [
    { digest: sha(a), size: a.length, dataOffset: 100 },
    { digest: sha(Buffer.alloc(0)), size: 0, dataOffset: 500 },
    { digest: sha(b), size: b.length, dataOffset: 600, keep: true },
  ];

  for (const piece of [1, 7, 64, 1000]) {
    it(`hashes blobs fed in pieces of ${piece} bytes, keeping what is asked`, () => {
      const w = new EntryWalker(entries, 0);
      for (let at = 0; at < data.length; at += piece) w.feed(data.subarray(at, at + piece));
      w.finish();
      expect(w.failures).to.deep.equal([]);
      expect(w.matched).to.equal(3);
      expect(w.documents.map((d) => d.bytes.equals(b))).to.deep.equal([true]);
    });
  }

  it('reports a changed byte, a blob cut short, and gives up on a damaged stretch', () => {
    const bad = Buffer.from(data);
    bad[200] = 0x7a;
    const w = new EntryWalker(entries, 0);
    w.feed(bad.subarray(0, 650));
    w.finish();
    expect(w.failures.map((f) => f.kind)).to.deep.equal(['digest', 'incomplete']);
    const d = new EntryWalker(entries, 0);
    d.feed(data.subarray(0, 450));
    d.damaged(700);
    d.feed(data.subarray(700));
    d.finish();
    expect(d.failures).to.deep.equal([
      { kind: 'damaged', digest: entries[1]!.digest },
      { kind: 'damaged', digest: entries[2]!.digest },
    ]);
    expect(d.matched).to.equal(1);
  });

  it('checks the tar header before a blob', () => {
    const header = Buffer.alloc(512);
    header.write('blobs/sha256/other', 0);
    const w = new EntryWalker(
      [{ digest: sha(a), size: a.length, dataOffset: 512, headerPath: 'blobs/sha256/x' }],
      0,
    );
    w.feed(Buffer.concat([header, a]));
    w.finish();
    expect(w.failures).to.have.length(1);
    expect(w.failures[0]).to.include({ kind: 'header', headerOffset: 0 });
  });
});
