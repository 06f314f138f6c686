/**
 * The pure parts of carrying referrers: sorting them by kind, reading
 * cosign's and the referrers tag schema's tags, the referrers API's pages,
 * and merging the fallback index without losing an entry.
 */
import { expect } from 'chai';
import { kindOfArtifact, fallbackTag } from '../../src/oci/referrer-kinds.js';
import {
  mergeFallbackIndex,
  parseReferrerTag,
  referrerDescriptor,
  referrerTags,
} from '../../src/referrers/index.js';
import { parsePage } from '../../src/registry/referrers-api.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const entry = (n: number, artifactType = 'application/spdx+json') => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: d(n),
  size: 100 + n,
  artifactType,
});

describe('referrers, pure parts', () => {
  it('sorts artifacts by kind: Sigstore bundles are signatures, in-toto attestations, SPDX and CycloneDX SBOMs, the rest other', () => {
    expect(kindOfArtifact('application/vnd.dev.sigstore.bundle.v0.3+json')).to.equal('signature');
    expect(kindOfArtifact('application/vnd.dev.sigstore.bundle+json;version=0.3')).to.equal(
      'signature',
    );
    expect(kindOfArtifact('application/vnd.in-toto+json')).to.equal('attestation');
    expect(kindOfArtifact('application/vnd.cyclonedx+json')).to.equal('sbom');
    expect(kindOfArtifact('application/vnd.example.scan+json')).to.equal('referrers');
    expect(kindOfArtifact(undefined)).to.equal('referrers');
  });

  it("reads cosign's tags and the fallback tag, and only those about the digests asked", () => {
    expect(parseReferrerTag(`${fallbackTag(d(1))}.att`)).to.eql({
      tag: `${fallbackTag(d(1))}.att`,
      subject: d(1),
      kind: 'attestation',
    });
    expect(parseReferrerTag(fallbackTag(d(1)))?.kind).to.equal('index');
    expect(parseReferrerTag('sha256-abc.sig')).to.equal(undefined);
    const tags = [`${fallbackTag(d(1))}.sig`, `${fallbackTag(d(2))}.sig`, fallbackTag(d(1)), 'v1'];
    const only = referrerTags(tags, new Set([d(1)]), new Set(['sbom']));
    // The index comes whatever kinds are asked: its entries are sorted once read.
    expect(only.map((t) => t.tag)).to.eql([fallbackTag(d(1))]);
  });

  it('reads a referrers API page and refuses one that is not an index of descriptors', () => {
    const page = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [entry(3)] }));
    expect(parsePage(page, 'referrers')).to.eql([entry(3)]);
    expect(parsePage(Buffer.from('{"schemaVersion":2}'), 'x')).to.eql([]);
    expect(() => parsePage(Buffer.from('{"manifests":{}}'), 'x')).to.throw(/not an array/);
    expect(() => parsePage(Buffer.from('<html>'), 'x')).to.throw(/not JSON/);
  });

  it('merges new entries into the fallback index, keeping every entry there, and writes nothing when all are there', () => {
    const merged = mergeFallbackIndex([entry(1)], [entry(2), entry(1), entry(2)]);
    const json = JSON.parse(merged?.toString('utf8') ?? '{}') as { manifests: unknown[] };
    expect(json.manifests).to.eql([entry(1), entry(2)]);
    expect(mergeFallbackIndex([entry(1), entry(2)], [entry(2)])).to.equal(undefined);
    const fresh = JSON.parse(
      mergeFallbackIndex(undefined, [entry(4)])?.toString('utf8') ?? '{}',
    ) as {
      mediaType: string;
    };
    expect(fresh.mediaType).to.equal('application/vnd.oci.image.index.v1+json');
  });

  it("gives a referrer the descriptor the referrers list would: artifactType, else the config's media type, and annotations", () => {
    const manifest = (extra: object) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.example.config+json', digest: d(5), size: 2 },
          layers: [],
          ...extra,
        }),
      );
    const art = manifest({ artifactType: 'application/spdx+json', annotations: { a: 'b', n: 1 } });
    expect(referrerDescriptor(art, d(6), 'x')).to.eql({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: d(6),
      size: art.length,
      artifactType: 'application/spdx+json',
      annotations: { a: 'b' },
    });
    expect(referrerDescriptor(manifest({}), d(7), 'x').artifactType).to.equal(
      'application/vnd.example.config+json',
    );
  });
});
