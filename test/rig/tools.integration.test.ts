import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { runTool } from './processes.js';
import { requireTool } from './tools.js';

describe('rig tools, ports and processes', () => {
  it('finds a binary on PATH as an absolute path', () => {
    expect(requireTool('sh', 'dash')).to.match(/^\/.*\/sh$/);
  });

  it('fails (does not skip) with the package to install when a tool is missing', () => {
    expect(() => requireTool('bmpack-no-such-tool', 'bmpack-pkg')).to.throw(
      'bmpack-no-such-tool not found on PATH: install the Debian package bmpack-pkg (.ci/run does this)',
    );
  });

  it('finds the tools the rig needs', () => {
    for (const [tool, pkg] of [
      ['docker-registry', 'docker-registry'],
      ['skopeo', 'skopeo'],
      ['openssl', 'openssl'],
      ['htpasswd', 'apache2-utils'],
    ] as const) {
      expect(requireTool(tool, pkg)).to.be.a('string');
    }
  });

  it('hands out a port that can be bound', async () => {
    const port = await freePort();
    expect(port).to.be.within(1024, 65535);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs fixtures/stop-all-child.ts in its own node and returns its stdout. */
  async function runChild(mode: 'stop-all' | 'exit'): Promise<string> {
    const script = fileURLToPath(new URL('./fixtures/stop-all-child.ts', import.meta.url));
    const out = await runTool(process.execPath, ['--import', 'tsx', script, mode], {
      timeoutMs: 20_000,
    });
    return out.toString('utf8');
  }

  /**
   * Whether `pid` is a live process. A killed orphan can stay a zombie for a
   * while (this machine's init reaps lazily); a zombie runs nothing, so it counts as dead.
   */
  function alive(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^\d+ \(.*\) Z /.test(stat);
    } catch {
      return false;
    }
  }

  function tempDir(out: string): string {
    const dir = /^dir (\/.+)$/m.exec(out)?.[1];
    expect(dir).to.be.a('string');
    return dir!;
  }

  function sleeperPid(out: string): number {
    const pid = Number(/^pid (\d+)$/m.exec(out)?.[1]);
    expect(pid).to.be.greaterThan(0);
    return pid;
  }

  it('stopAll kills tracked processes, closes tracked servers and lets node exit', async () => {
    const out = await runChild('stop-all');
    expect(out).to.match(/running \["temp dir [^"]+","sleep 30","child server"\]/);
    expect(out).to.include('after [] false');
    expect(alive(sleeperPid(out))).to.equal(false);
    expect(existsSync(tempDir(out))).to.equal(false);
  });

  it('kills tracked processes and removes temp dirs when node exits without stopAll', async () => {
    const out = await runChild('exit');
    const pid = sleeperPid(out);
    // SIGKILL is delivered asynchronously; give the kernel a moment.
    for (let i = 0; i < 20 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).to.equal(false);
    expect(existsSync(tempDir(out))).to.equal(false);
  });
});
