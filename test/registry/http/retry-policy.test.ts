import { expect } from 'chai';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
} from '../../../src/registry/http/retry-policy.js';

describe('retry policy', () => {
  it('retries 408, 429 and 5xx but not 501, 505 or 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).to.equal(true);
    expect([400, 401, 403, 404, 416, 501, 505].some(isRetryableStatus)).to.equal(false);
  });

  it('reads Retry-After as delay-seconds', () => {
    expect(parseRetryAfter('3', 0)).to.equal(3000);
    expect(parseRetryAfter(' 0 ', 0)).to.equal(0);
  });

  it('reads Retry-After as an HTTP-date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).to.equal(0);
  });

  it('ignores an unusable Retry-After', () => {
    expect(parseRetryAfter(undefined, 0)).to.equal(undefined);
    expect(parseRetryAfter('soon', 0)).to.equal(undefined);
  });

  it('grows the backoff exponentially within bounds, with jitter', () => {
    const p = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).to.equal(50);
    expect(backoffDelay(1, p, () => 1)).to.equal(100);
    expect(backoffDelay(3, p, () => 1)).to.equal(400);
    expect(backoffDelay(10, p, () => 1)).to.equal(1000);
    expect(backoffDelay(10, p, () => 0.5)).to.be.within(50, 1000);
  });
});
