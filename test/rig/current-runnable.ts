/**
 * Which test or hook mocha is running now, so that a failure raised far from
 * the test (the unit guard, inside product code) can still name it. Mocha
 * keeps it on its runner, which is only reachable once the runner starts.
 */
import Mocha from 'mocha';

let runner: Mocha.Runner | undefined;

const remember = (started: Mocha.Runner): void => {
  runner = started;
};

// Wrapped, not called apart from its object: apply() passes the runner on.
// eslint-disable-next-line @typescript-eslint/unbound-method
const run = Mocha.Runner.prototype.run;
Mocha.Runner.prototype.run = function (this: Mocha.Runner, ...args: Parameters<typeof run>) {
  remember(this);
  return run.apply(this, args);
};

/** "title" (file) of the test or hook running now, or a note that none is. */
export function currentRunnable(): string {
  const current = runner?.currentRunnable;
  if (current === undefined) return 'code that runs outside any test (module load?)';
  return `"${current.fullTitle()}" (${current.file ?? 'file unknown'})`;
}
