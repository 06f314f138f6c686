/**
 * Bundles written by earlier bmpack versions, whose tar headers came from
 * bmpack's own encoder (`0000644\0`, checksum six digits, NUL, space: see
 * test/bundle-format/old-headers.ts), open and serve every blob as before,
 * on the fast path that places bmpack's own blobs from bmpack.json alone;
 * so does the same bundle as this version writes it (node-tar's headers).
 * The old bundles are this version's bundles with every header rewritten,
 * in the .tar and in a .tar.xz of the same xz blocks.
 */
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  isHeaderOnly,
  isZeroBlock,
  parseTarHeader,
  tarBlockSize,
  tarEntrySpan,
} from '../../src/bundle-format/index.js';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { readXzIndex, XzWriter } from '../../src/xz/index.js';
import { buildRelease, type BuiltRelease } from '../rig/release-fixture.js';
import { rejection } from '../rig/rejection.js';
import { rewriteAsOldHeader } from '../bundle-format/old-headers.js';
import { checkAllBlobs, readStream, sha256 } from './archive-kit.js';

/** Offsets of every header of `tar`, up to the end-of-archive marker. */
function headerOffsets(tar: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; !isZeroBlock(tar.subarray(at, at + tarBlockSize));) {
    offsets.push(at);
    const h = parseTarHeader(tar.subarray(at, at + tarBlockSize));
    at += tarEntrySpan(isHeaderOnly(h) ? 0 : h.size);
  }
  return offsets;
}

/** `tar` in an xz file of XzWriter's stored blocks, cut where `blocks` say, as bundle create cuts it. */
async function writeXz(tar: Buffer, blocks: readonly number[], file: string): Promise<void> {
  const xz = new XzWriter(createWriteStream(file), { end: true });
  let at = 0;
  for (const size of blocks) {
    await xz.beginBlock(size);
    await xz.write(tar.subarray(at, at + size));
    await xz.endBlock();
    at += size;
  }
  expect(at).to.equal(tar.length);
  await xz.finish();
}

describe('archive: bundles with the tar headers of earlier versions', function () {
  this.timeout(180_000);
  let built: BuiltRelease;
  const files = new Map<string, string>();
  let lastBlob: { digest: string; headerAt: number };

  before(async () => {
    built = await buildRelease();
    const tar = await readFile(built.tarBundle);
    const blocks = (await readXzIndex(built.xzBundle)).blocks.map((b) => b.uncompressedSize);
    const offsets = headerOffsets(tar);
    const old = Buffer.from(tar);
    for (const at of offsets) rewriteAsOldHeader(old, at);
    expect(tar.toString('latin1', 100, 108)).to.equal('000644 \0');
    expect(old.toString('latin1', 100, 108)).to.equal('0000644\0');
    // Every header changed; not a byte of data did.
    const restored = Buffer.from(old);
    for (const at of offsets) {
      const header = tar.subarray(at, at + tarBlockSize);
      expect(restored.subarray(at, at + tarBlockSize).equals(header)).to.equal(false);
      header.copy(restored, at);
    }
    expect(restored.equals(tar)).to.equal(true);
    // Old headers, with the last blob's damaged (its checksum no longer matches):
    // a scan of the archive stops there, the fast path never looks at it until asked.
    const damaged = Buffer.from(old);
    const last = built.metadata.blobs.at(-1)!;
    const headerAt = offsets.at(-1)!;
    expect(parseTarHeader(old.subarray(headerAt, headerAt + tarBlockSize)).name).to.equal(
      `blobs/sha256/${last.digest.slice('sha256:'.length)}`,
    );
    damaged[headerAt + 20] = (damaged[headerAt + 20] ?? 0) ^ 0xff;
    lastBlob = { digest: last.digest, headerAt };
    for (const [name, bytes] of [
      ['old', old],
      ['damaged', damaged],
    ] as const) {
      const tarFile = join(built.work.dir, `${name}.tar`);
      await writeFile(tarFile, bytes);
      files.set(`${name}.tar`, tarFile);
      const xzFile = join(built.work.dir, `${name}.tar.xz`);
      await writeXz(bytes, blocks, xzFile);
      files.set(`${name}.tar.xz`, xzFile);
    }
    files.set('new.tar', built.tarBundle);
    files.set('new.tar.xz', built.xzBundle);
  });
  after(async () => {
    await built.work.cleanup();
    await built.reg.stop();
  });

  for (const name of ['old.tar', 'old.tar.xz', 'new.tar', 'new.tar.xz']) {
    it(`opens a bundle with ${name.slice(0, 3)} headers (${name.slice(4)}) and serves every blob`, async () => {
      const source = await openBundleSource(files.get(name)!);
      try {
        expect(source.kind).to.equal('bmpack');
        expect(source.randomAccess).to.equal(true);
        expect(source.metadata).to.deep.equal(built.metadata);
        expect(source.images.map((i) => i.name)).to.deep.equal(
          built.release.images.map((i) => i.ref),
        );
        expect(await checkAllBlobs(source)).to.equal(built.metadata.totals.bytes);
      } finally {
        await source.close();
      }
    });
  }

  for (const name of ['damaged.tar', 'damaged.tar.xz']) {
    it(`opens an old-header bundle on the fast path (${name.slice(8)}): a damaged last header is found only when its blob is read`, async () => {
      const file = files.get(name)!;
      const source = await openBundleSource(file);
      try {
        expect(source.images).to.have.length(built.release.images.length);
        const err = await rejection(readStream(source.openBlob(lastBlob.digest)));
        expect(err.code, err.message).to.equal('E_BUNDLE_INVALID');
        expect(err.message).to.contain(`byte ${lastBlob.headerAt}`);
        const config = built.metadata.blobs.find((b) => b.kind === 'config')!;
        expect(sha256(await readStream(source.openBlob(config.digest)))).to.equal(config.digest);
      } finally {
        await source.close();
      }
    });
  }
});
