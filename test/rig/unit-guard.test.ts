import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { GUARD_ADVICE, installUnitGuard, takeRefusals, unitGuardOn } from './unit-guard.js';

/** Runs `body` with the guard on (again, in a unit run) and returns its refusals. */
function guarded(body: () => void): string[] {
  const lift = installUnitGuard();
  try {
    body();
  } finally {
    lift();
  }
  return takeRefusals();
}

describe('unit guard (what keeps npm run test:unit free of processes and servers)', () => {
  it('refuses child_process.spawn and execFile, naming the advice and this test', function () {
    const title = this.test?.fullTitle() ?? '';
    const refused = guarded(() => {
      expect(() => spawn('true')).to.throw(GUARD_ADVICE);
      expect(() => execFile('true')).to.throw(title);
    });
    expect(refused).to.have.length(2);
    expect(refused[0]).to.include('child_process.spawn("true")').and.include(title);
  });

  it('refuses listen() on net and http servers, and keeps a refusal the code caught', () => {
    const refused = guarded(() => {
      expect(() => createServer().listen(0, '127.0.0.1')).to.throw(GUARD_ADVICE);
      try {
        createHttpServer().listen(0);
      } catch {
        // Code under test may swallow it; the root hook still sees the refusal.
      }
    });
    expect(refused).to.have.length(2);
    expect(refused[1]).to.include('server.listen(0)');
  });

  it('counts nested installs: the inner undo keeps it on, the last one restores the state', () => {
    const wasOn = unitGuardOn();
    const outer = installUnitGuard();
    const inner = installUnitGuard();
    inner();
    expect(unitGuardOn()).to.equal(true);
    outer();
    expect(unitGuardOn()).to.equal(wasOn);
    // Off means the real functions are back, not wrappers (which have no name).
    if (!wasOn) expect(spawn.name).to.equal('spawn');
  });
});
