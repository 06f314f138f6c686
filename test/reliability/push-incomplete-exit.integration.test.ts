/**
 * Issue 13, item 7: a push that leaves images out is E_PUSH_INCOMPLETE, but
 * it exits with the category of what really failed — 6 when the registry
 * goes away mid-push (as `bundle create` exits for the same failure), 4 when
 * it refuses the credentials, 10 when it answers 5xx. The built CLI against a
 * real registry behind a fault proxy.
 */
import { expect } from 'chai';
import type { FaultProxy, ProxiedRequest } from '../rig/fault-proxy.js';
import { startFaultProxy } from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import {
  anonymousPushArgs,
  cliEnv,
  errorOf,
  isUploadPut,
  referenceBundle,
  startFaultRig,
  why,
} from './network-faults-kit.js';
import { runCli, type CliRun } from '../rig/cli.js';

describe('push images: E_PUSH_INCOMPLETE exits with its cause’s category', function () {
  this.timeout(60_000);
  let bundle: string;
  let blobs: Array<{ digest: string; size: number }>;
  const cleanups: Array<() => Promise<void>> = [];
  let target: RunningRegistry;
  let faults: FaultProxy;

  before(async function () {
    this.timeout(120_000);
    const rig = await startFaultRig('bmpack-push-exit-', cleanups);
    ({ blobs } = rig);
    bundle = (await referenceBundle(rig, rig.source.host, 'reference', cleanups)).file;
  });
  beforeEach(async () => {
    target = await startRegistry('anonymous');
    faults = await startFaultProxy(target);
  });
  afterEach(async () => {
    await faults.stop();
    await target.stop();
  });
  after(async () => {
    for (const stop of cleanups.reverse()) await stop();
  });

  const push = (): Promise<CliRun> =>
    runCli(anonymousPushArgs(bundle, `${faults.host}/mirror`, '--concurrency', '1'), {
      env: cliEnv({ stallTimeoutMs: 2_000 }),
    });

  /** A push whose uploads of the biggest blob are all answered `status`. */
  function pushFailingUploads(status: number): Promise<CliRun> {
    const [big] = blobs;
    faults.addRule({ match: isUploadPut(big!.digest), action: { kind: 'status', status } });
    return push();
  }

  /** The registry goes away once the first blob is in: every later connection is cut. */
  function goneAfterFirstUpload(): void {
    let gone = false;
    faults.addRule({
      match: (r: ProxiedRequest) => {
        const wasGone = gone;
        if (r.method === 'PUT' && r.path.includes('/blobs/uploads/')) gone = true;
        return wasGone;
      },
      action: { kind: 'reset' },
    });
  }

  it('the registry gone mid-push: exit 6 (network), code E_PUSH_INCOMPLETE, the network hint', async () => {
    goneAfterFirstUpload();
    const run = await push();
    expect(run.code, why(run)).to.equal(6);
    const error = errorOf(run);
    expect(error.code).to.equal('E_PUSH_INCOMPLETE');
    expect(error.exitCode).to.equal(6);
    expect(error.message).to.match(
      /E_NETWORK for \d+ images? \(first: [^)]+\): .*cannot reach .*tried \d times/,
    );
    expect(error.hint).to.contain('HTTPS_PROXY');
  });

  it('credentials refused on an upload: exit 4 (auth), the hint names push’s credential flags', async () => {
    const run = await pushFailingUploads(401);
    expect(run.code, why(run)).to.equal(4);
    const error = errorOf(run);
    expect(error.code).to.equal('E_PUSH_INCOMPLETE');
    expect(error.exitCode).to.equal(4);
    expect(error.hint).to.contain('--password-stdin');
  });

  it('a registry answering 503 to an upload: exit 10 (registry), as before', async () => {
    const run = await pushFailingUploads(503);
    expect(run.code, why(run)).to.equal(10);
    expect(errorOf(run).code).to.equal('E_PUSH_INCOMPLETE');
  });
});
