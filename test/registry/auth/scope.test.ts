import { expect } from 'chai';
import { mergeScopes, repositoryScope, scopesCover } from '../../../src/registry/auth/scope.js';

describe('token scopes', () => {
  it('formats a repository scope', () => {
    expect(repositoryScope('library/nginx', ['pull', 'push'])).to.equal(
      'repository:library/nginx:pull,push',
    );
  });

  it('merges the actions of one repository and keeps first-seen order', () => {
    const merged = mergeScopes(
      ['repository:ns/app:push', 'repository:base/os:pull'],
      ['repository:ns/app:pull'],
    );
    expect(merged).to.deep.equal(['repository:ns/app:pull,push', 'repository:base/os:pull']);
  });

  it('orders merged actions pull, push, then the rest by code unit', () => {
    const merged = mergeScopes(['repository:ns/app:delete,push'], ['repository:ns/app:*,pull']);
    expect(merged).to.deep.equal(['repository:ns/app:pull,push,*,delete']);
  });

  it('does not split a resource name that holds a port', () => {
    const merged = mergeScopes(['repository:reg:5000/app:pull'], ['repository:reg:5000/app:push']);
    expect(merged).to.deep.equal(['repository:reg:5000/app:pull,push']);
  });

  it('tells whether granted scopes cover wanted ones', () => {
    expect(scopesCover(['repository:a:pull,push'], ['repository:a:pull'])).to.equal(true);
    expect(scopesCover(['repository:a:pull'], ['repository:a:push'])).to.equal(false);
    expect(scopesCover(['repository:a:*'], ['repository:a:push'])).to.equal(true);
    expect(scopesCover([], ['repository:a:pull'])).to.equal(false);
  });
});
