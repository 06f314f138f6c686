/**
 * Mocha root hook plugin: load with `--require test/rig/hooks.ts` (or the
 * `require` entry of .mocharc.json) so that whatever the rig started is stopped
 * once all tests have run, even when a suite's own `after` hook was skipped.
 */
import './current-runnable.js';
import { stopAll } from './processes.js';

/** Root hooks picked up by mocha from a `--require`d module. */
export const mochaHooks = { afterAll: stopAll };
