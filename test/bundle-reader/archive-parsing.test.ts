import { expect } from 'chai';
import {
  ArchiveFormatError,
  digestOfBlobPath,
  encodeTarHeader,
  normalizeTarPath,
  parseBundleMetadata,
  parsePaxRecords,
  parseTarHeader,
  resolveLinkTarget,
  sealTarHeader,
} from '../../src/bundle-format/index.js';
import { placeBlobs } from '../../src/bundle-reader/bmpack-blob-offsets.js';
import { detectContainer } from '../../src/bundle-reader/container-magic.js';
import { parseDockerArchiveManifest } from '../../src/bundle-reader/docker-archive-manifest.js';
import {
  dockerLayerTar,
  layerMediaType,
  synthesizeDockerManifest,
} from '../../src/bundle-reader/docker-manifest-synthesis.js';
import { imagesFromIndex } from '../../src/bundle-reader/layout-images.js';
import { MediaType } from '../../src/oci/media-types.js';
import { craftTar } from './archive-kit.js';

const hex = 'a'.repeat(64);
const digest = `sha256:${hex}`;

describe('archive parsing (pure)', () => {
  describe('container magic', () => {
    it('tells xz, tar, gzip, zstd and garbage apart', () => {
      expect(detectContainer(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 4])).kind).to.equal(
        'xz',
      );
      expect(detectContainer(craftTar([{ name: 'a' }])).kind).to.equal('tar');
      expect(detectContainer(Buffer.from([0x1f, 0x8b, 8, 0]))).to.deep.equal({
        kind: 'unsupported',
        format: 'gzip (.tar.gz)',
      });
      expect(detectContainer(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])).kind).to.equal('unsupported');
      expect(detectContainer(Buffer.from('hello world')).kind).to.equal('unknown');
    });
  });

  describe('tar headers', () => {
    it('reads what our writer writes, including base-256 sizes', () => {
      const h = parseTarHeader(
        encodeTarHeader({ path: `blobs/sha256/${hex}`, size: 9 * 2 ** 30, type: 'file', mtime: 7 }),
      );
      expect(h).to.include({ name: `blobs/sha256/${hex}`, size: 9 * 2 ** 30, kind: 'file' });
      const d = parseTarHeader(
        encodeTarHeader({ path: 'blobs/', size: 0, type: 'directory', mtime: 0 }),
      );
      expect(d.kind).to.equal('directory');
    });

    it('joins the ustar prefix and name, and reads links and their targets', () => {
      const block = craftTar([{ name: 'x', type: '2', linkName: '../target' }]).subarray(0, 512);
      expect(parseTarHeader(block)).to.include({ kind: 'symlink', linkName: '../target' });
      const withPrefix = Buffer.from(block);
      withPrefix.write('some/prefix', 345);
      sealTarHeader(withPrefix);
      expect(parseTarHeader(withPrefix).name).to.equal('some/prefix/x');
    });

    it('refuses a bad checksum, a missing magic and a non-octal size', () => {
      const block = craftTar([{ name: 'a', data: Buffer.from('x') }]).subarray(0, 512);
      const bad = Buffer.from(block);
      bad[0] = 0x62;
      expect(() => parseTarHeader(bad)).to.throw(ArchiveFormatError, /checksum/);
      const noMagic = Buffer.from(block);
      noMagic.fill(0, 257, 263);
      expect(() => parseTarHeader(noMagic)).to.throw(ArchiveFormatError, /magic/);
      const size = Buffer.from(block);
      size.write('9999', 124);
      expect(() => parseTarHeader(size)).to.throw(ArchiveFormatError);
    });

    it('parses pax records and refuses malformed ones', () => {
      const records = parsePaxRecords(Buffer.from('28 path=some/very/long/name\n11 size=42\n'));
      expect(records.get('path')).to.equal('some/very/long/name');
      expect(records.get('size')).to.equal('42');
      expect(() => parsePaxRecords(Buffer.from('99 path=x\n'))).to.throw(ArchiveFormatError);
      expect(() => parsePaxRecords(Buffer.from('abc'))).to.throw(ArchiveFormatError);
    });
  });

  describe('tar paths', () => {
    it('normalises ./ prefixes and trailing slashes, and refuses climbing or absolute paths', () => {
      expect(normalizeTarPath('./blobs/sha256/')).to.equal('blobs/sha256');
      expect(normalizeTarPath('./')).to.equal('');
      expect(normalizeTarPath('././index.json')).to.equal('index.json');
      expect(() => normalizeTarPath('../x')).to.throw(ArchiveFormatError, /climbs/);
      expect(() => normalizeTarPath('blobs/../../x')).to.throw(ArchiveFormatError);
      expect(() => normalizeTarPath('/etc/passwd')).to.throw(ArchiveFormatError, /absolute/);
    });

    it('knows blob paths and resolves links inside the archive only', () => {
      expect(digestOfBlobPath(`blobs/sha256/${hex}`)).to.equal(digest);
      expect(digestOfBlobPath('blobs/sha256/abc')).to.equal(undefined);
      expect(digestOfBlobPath(`blobs/md5/${hex}`)).to.equal(undefined);
      expect(resolveLinkTarget('a/layer.tar', '../b.tar')).to.equal('b.tar');
      expect(resolveLinkTarget('a/layer.tar', '../../b.tar')).to.equal(undefined);
      expect(resolveLinkTarget('a/layer.tar', '/b.tar')).to.equal(undefined);
    });
  });

  describe('bmpack.json', () => {
    const good = {
      format: 'bmpack.io/bundle/v1',
      tool: { name: 'bmpack', version: '0.1.0' },
      name: 'x',
      version: '1',
      images: [
        {
          ref: 'a/b:1',
          digest,
          mediaType: MediaType.ociManifest,
          size: 3,
          platforms: [],
          bytes: 9,
        },
      ],
      blobs: [{ digest, size: 3, mediaType: MediaType.ociManifest, kind: 'manifest' }],
      totals: { images: 1, blobs: 1, bytes: 3, dedupedBytes: 0 },
      future: 'ignored',
    };

    it('copies the known fields and ignores unknown ones', () => {
      const m = parseBundleMetadata(good);
      expect(m.blobs[0]).to.deep.equal(good.blobs[0]);
      expect(m).to.not.have.property('future');
      expect(m).to.not.have.property('base');
      const base = { name: 'x', version: '0.9', sha256: 'f'.repeat(64) };
      expect(parseBundleMetadata({ ...good, base }).base).to.deep.equal(base);
      expect(() => parseBundleMetadata({ ...good, base: { name: 'x' } })).to.throw(/base\.version/);
    });

    it('names the field that is wrong, and refuses another format', () => {
      expect(() =>
        parseBundleMetadata({ ...good, blobs: [{ ...good.blobs[0], size: -1 }] }),
      ).to.throw(/blobs\[0\]\.size/);
      expect(() =>
        parseBundleMetadata({ ...good, images: [{ ...good.images[0], digest: 'x' }] }),
      ).to.throw(/images\[0\]\.digest/);
      expect(() => parseBundleMetadata({ ...good, format: 'bmpack.io/bundle/v2' })).to.throw(
        /format/,
      );
      expect(() => parseBundleMetadata([])).to.throw(ArchiveFormatError);
    });

    it('places blobs one header apart, size rounded up to 512', () => {
      const b = (n: number, size: number) => ({
        digest: `sha256:${String(n).repeat(64)}`,
        size,
        mediaType: 'x',
        kind: 'layer' as const,
      });
      const layout = placeBlobs([b(1, 1), b(2, 512), b(3, 0)], 2560);
      expect([...layout!.placements.values()].map((p) => p.headerOffset)).to.deep.equal([
        2560,
        2560 + 1024,
        2560 + 1024 + 1024,
      ]);
      expect(layout!.end).to.equal(2560 + 1024 + 1024 + 512);
      expect(placeBlobs([b(1, 1), b(1, 1)], 0)).to.equal(undefined);
    });
  });

  describe('index.json names', () => {
    const entry = (annotations: Record<string, string>) => ({
      mediaType: MediaType.ociManifest,
      digest,
      size: 3,
      annotations,
    });

    it('prefers io.containerd.image.name and passes ref.name through as written', () => {
      const images = imagesFromIndex({
        schemaVersion: 2,
        manifests: [
          entry({
            'io.containerd.image.name': 'docker.io/library/nginx:1.25',
            'org.opencontainers.image.ref.name': '1.25',
          }),
          entry({ 'org.opencontainers.image.ref.name': 'gcr.io/x/y:1' }),
          entry({ 'org.opencontainers.image.ref.name': 'library/nginx:1.25' }),
          entry({ 'org.opencontainers.image.ref.name': '1.25' }),
        ],
      });
      expect(images.map((i) => i.name)).to.deep.equal([
        'docker.io/library/nginx:1.25',
        'gcr.io/x/y:1',
        'library/nginx:1.25',
        '1.25',
      ]);
    });

    it('refuses an unnamed entry with a hint, and a malformed descriptor', () => {
      let err: unknown;
      try {
        imagesFromIndex({ manifests: [entry({})] });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ArchiveFormatError);
      expect((err as ArchiveFormatError).message).to.contain('manifests[0]');
      expect((err as ArchiveFormatError).hint).to.contain('oci:DIR:NAME');
      expect(() => imagesFromIndex({ manifests: [{ digest: 'nope' }] })).to.throw(
        ArchiveFormatError,
      );
      expect(() => imagesFromIndex({})).to.throw(ArchiveFormatError);
    });
  });

  describe('docker-archive manifests', () => {
    it('reads manifest.json entries and refuses climbing paths', () => {
      const entries = parseDockerArchiveManifest([
        { Config: 'c.json', RepoTags: ['a:1', 'b:2'], Layers: ['./l1/layer.tar', 'l2.tar'] },
        { Config: 'd.json', RepoTags: null, Layers: [] },
      ]);
      expect(entries[0]).to.deep.equal({
        index: 0,
        config: 'c.json',
        repoTags: ['a:1', 'b:2'],
        layers: ['l1/layer.tar', 'l2.tar'],
      });
      expect(entries[1]!.repoTags).to.deep.equal([]);
      expect(() =>
        parseDockerArchiveManifest([{ Config: '../c.json', RepoTags: [], Layers: [] }]),
      ).to.throw(/climbs/);
      expect(() => parseDockerArchiveManifest({})).to.throw(ArchiveFormatError);
      expect(() => parseDockerArchiveManifest([])).to.throw(ArchiveFormatError);
    });

    it('synthesizes the same schema 2 manifest bytes every time, layers typed by their magic', () => {
      expect(layerMediaType(Buffer.from([0x1f, 0x8b, 8]))).to.equal(MediaType.dockerLayerGzip);
      expect(layerMediaType(Buffer.from('bin/'))).to.equal(dockerLayerTar);
      const make = () =>
        synthesizeDockerManifest({ digest, size: 10 }, [
          { digest, size: 20, mediaType: dockerLayerTar },
        ]);
      const bytes = make();
      expect(bytes.equals(make())).to.equal(true);
      expect(Object.keys(JSON.parse(bytes.toString()) as object)).to.deep.equal([
        'schemaVersion',
        'mediaType',
        'config',
        'layers',
      ]);
      expect(bytes.toString()).to.contain(
        `"config": {\n      "mediaType": "${MediaType.dockerConfig}",\n      "size": 10,\n      "digest": "${digest}"`,
      );
    });
  });
});
