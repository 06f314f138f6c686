/**
 * cosign's simple-signing check with each key type cosign takes (issue 15,
 * item 4): ECDSA P-256 and P-384 and RSA sign a SHA-256 digest of the
 * payload, Ed25519 the payload itself; keys from PEM, signatures base64.
 */
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { readPayload, signatureValid } from '../../src/referrers/simple-signing.js';

const payload = Buffer.from(
  JSON.stringify({
    critical: {
      identity: { 'docker-reference': 'registry.example/app' },
      image: { 'docker-manifest-digest': `sha256:${'a'.repeat(64)}` },
      type: 'cosign container image signature',
    },
    optional: null,
  }),
);

const pairs: Array<[string, { privateKey: KeyObject; publicKey: KeyObject }]> = [
  ['ECDSA P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['ECDSA P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['RSA 2048', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['Ed25519', generateKeyPairSync('ed25519')],
];

/** As cosign signs: SHA-256 for ECDSA and RSA, the message itself for Ed25519. */
function cosignSignature(key: KeyObject, message: Buffer): string {
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return sign(algorithm, message, key).toString('base64');
}

describe('simple signing: every key type cosign takes', () => {
  for (const [name, pair] of pairs) {
    it(`${name}: the signature verifies under its PEM public key, and not over other bytes or under another key`, () => {
      const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const key = createPublicKey(pem);
      const signature = cosignSignature(pair.privateKey, payload);
      expect(signatureValid(payload, signature, key)).to.equal(true);
      expect(signatureValid(Buffer.concat([payload, Buffer.from(' ')]), signature, key)).to.equal(
        false,
      );
      const other = pairs.find(([n]) => n !== name)![1].publicKey;
      expect(signatureValid(payload, signature, other)).to.equal(false);
    });
  }

  it('reads the claim: the digest and the docker-reference; anything else is not a payload', () => {
    expect(readPayload(payload)).to.deep.equal({
      digest: `sha256:${'a'.repeat(64)}`,
      reference: 'registry.example/app',
    });
    expect(readPayload(Buffer.from('{"critical":{"type":"something else"}}'))).to.equal(undefined);
    expect(readPayload(Buffer.from('not json'))).to.equal(undefined);
  });
});
