import { expect } from 'chai';
import { Header, Pax } from 'tar';
import {
  ArchiveFormatError,
  encodeTarHeader,
  parsePaxRecords,
  parseTarHeader,
  paxSize,
  sealTarHeader,
  tarEntrySpan,
  tarPadding,
} from '../../src/bundle-format/index.js';

describe('tar codec', () => {
  it('encodes sizes of 8 GiB and more in base-256, which node-tar reads back', () => {
    const size = 9 * 1024 ** 3 + 5;
    const h = new Header(
      encodeTarHeader({ path: 'blobs/sha256/big', size, type: 'file', mtime: 1700000000 }),
    );
    expect(h.cksumValid).to.equal(true);
    expect(h.size).to.equal(size);
    expect(h.mtime?.getTime()).to.equal(1700000000 * 1000);
  });

  it("puts a path over 100 bytes into ustar's prefix, and refuses one ustar cannot hold", () => {
    const long = `${'d'.repeat(120)}/file`;
    const block = encodeTarHeader({ path: long, size: 1, type: 'file', mtime: 0 });
    expect(parseTarHeader(block).name).to.equal(long);
    expect(new Header(block).path).to.equal(long);
    // node-tar would cut these (and ask for a pax header): bmpack writes none, so it refuses.
    for (const path of [`${'d'.repeat(160)}/file`, `a/${'f'.repeat(101)}`]) {
      expect(() => encodeTarHeader({ path, size: 1, type: 'file', mtime: 0 })).to.throw(
        'a ustar header cannot hold',
      );
    }
  });

  it('pads entries to 512-byte blocks', () => {
    expect(tarPadding(0)).to.equal(0);
    expect(tarPadding(1)).to.equal(511);
    expect(tarPadding(512)).to.equal(0);
    expect(tarEntrySpan(513)).to.equal(512 + 1024);
  });

  describe('against node-tar, an independent reader and writer', () => {
    const blob = `blobs/sha256/${'cd'.repeat(32)}`;
    const written = [
      { path: 'oci-layout', size: 31, type: 'file', mtime: 0 },
      { path: 'blobs/', size: 0, type: 'directory', mtime: 1700000000 },
      { path: blob, size: 123456789, type: 'file', mtime: 1700000000 },
      { path: blob, size: 2 ** 40 + 3, type: 'file', mtime: 1700000000, owner: 'root' },
    ] as const;

    it('node-tar reads every header bmpack writes as bmpack meant it', () => {
      for (const spec of written) {
        const h = new Header(encodeTarHeader(spec));
        expect(h.cksumValid, spec.path).to.equal(true);
        expect(h.path).to.equal(spec.path);
        expect(h.size).to.equal(spec.size);
        expect(h.type).to.equal(spec.type === 'directory' ? 'Directory' : 'File');
        expect(h.mtime?.getTime()).to.equal(spec.mtime * 1000);
        expect(h.mode).to.equal(spec.type === 'directory' ? 0o755 : 0o644);
      }
    });

    it('reads the headers node-tar writes (its octal form, a ustar prefix, base-256)', () => {
      const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file`;
      for (const [path, size] of [
        ['a/b', 5],
        [long, 1000],
        ['big', 2 ** 36],
      ] as const) {
        const h = new Header({ path, size, type: 'File', mode: 0o644, mtime: new Date(0) });
        h.encode();
        expect(parseTarHeader(h.block!)).to.deep.equal({
          name: path,
          linkName: '',
          size,
          kind: 'file',
          typeflag: '0',
        });
      }
    });

    it("reads node-tar's pax headers for a long path and a large size", () => {
      const path = `${'p'.repeat(200)}/name`;
      const pax = new Pax({ path, size: 2 ** 40 }).encode();
      const header = parseTarHeader(pax.subarray(0, 512));
      expect(header.kind).to.equal('pax');
      const records = parsePaxRecords(pax.subarray(512, 512 + header.size));
      expect(records.get('path')).to.equal(path);
      expect(paxSize(records.get('size') ?? '')).to.equal(2 ** 40);
    });

    it('is strict where node-tar is lenient: a size with junk, a negative size', () => {
      const junk = encodeTarHeader({ path: 'a', size: 10, type: 'file', mtime: 0 });
      junk.write('0000000012x\0', 124, 'latin1');
      sealTarHeader(junk);
      expect(new Header(junk).size).to.equal(0o12); // parseInt stops at the junk
      expect(() => parseTarHeader(junk)).to.throw(ArchiveFormatError, 'size field is not octal');
      const negative = encodeTarHeader({ path: 'a', size: 10, type: 'file', mtime: 0 });
      negative.fill(0xff, 124, 136);
      sealTarHeader(negative);
      expect(new Header(negative).size).to.equal(undefined); // taken as no size at all
      expect(() => parseTarHeader(negative)).to.throw(ArchiveFormatError, 'size field is negative');
    });

    it('accepts the signed-char checksum of old tars', () => {
      const block = encodeTarHeader({ path: 'caf\u00e9', size: 1, type: 'file', mtime: 0 });
      let signed = 8 * 0x20;
      for (let i = 0; i < 512; i++) {
        if (i < 148 || i >= 156)
          signed += (block[i] ?? 0) > 127 ? (block[i] ?? 0) - 256 : (block[i] ?? 0);
      }
      block.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      expect(parseTarHeader(block).name).to.equal('caf\u00e9');
    });
  });
});
