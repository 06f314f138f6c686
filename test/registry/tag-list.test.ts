import { expect } from 'chai';
import { nextPage } from '../../src/registry/tag-list.js';

describe('tag list pages (RFC 8288 Link)', () => {
  const base = new URL('https://reg.local/v2/a/tags/list?n=2');
  it('follows rel="next", relative to the page that gave it', () => {
    expect(nextPage(['</v2/a/tags/list?n=2&last=b>; rel="next"'], base)?.href).to.equal(
      'https://reg.local/v2/a/tags/list?n=2&last=b',
    );
    expect(
      nextPage(['<https://x/prev>; rel="prev", <https://x/next>; rel=next'], base)?.href,
    ).to.equal('https://x/next');
  });
  it('ends where there is no next link', () => {
    expect(nextPage([], base)).to.equal(undefined);
    expect(nextPage(['<https://x/prev>; rel="prev"'], base)).to.equal(undefined);
  });
});
