import { expect } from 'chai';
import { redactText, redactUrl, registerSecret } from '../src/redact.js';

describe('redaction', () => {
  it('drops userinfo and signed query values from URLs', () => {
    const out = redactUrl(
      'https://user:hunter22@storage.example/blob?X-Amz-Signature=abc123&part=1',
    );
    expect(out).to.not.contain('hunter22');
    expect(out).to.not.contain('abc123');
    expect(out).to.contain('part=1');
  });

  it('hides registered secrets in free text', () => {
    registerSecret('s3cr3t-token-value');
    expect(redactText('token s3cr3t-token-value rejected')).to.equal('token *** rejected');
  });
});
