/**
 * Mocha root hooks for `npm run test:unit` only (next to hooks.ts): the unit
 * guard is on for the whole run, and a test fails if it tried to start a
 * process or server, even when the code under test caught the refusal.
 */
import type { Context } from 'mocha';
import { installUnitGuard, takeRefusals } from './unit-guard.js';

installUnitGuard();

/** Root hooks picked up by mocha from a `--require`d module. */
export const mochaHooks = {
  beforeEach(): void {
    // A before-all hook's refusal already failed that hook, visibly.
    takeRefusals();
  },
  afterEach(this: Context): void {
    const refused = takeRefusals();
    // A failed test already shows its refusal; a passing one may have caught it.
    if (refused.length > 0 && this.currentTest?.state !== 'failed') {
      throw new Error(refused.join('\n'));
    }
  },
};
