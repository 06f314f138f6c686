import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { jsonLineRenderer, lineRenderer, progressMode } from '../../src/cli/progress/index.js';

function sink(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('progress for logs and machines', () => {
  it('chooses bars on a terminal, lines otherwise, nothing under --json or --quiet, JSON lines when asked', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    const term = process.env.TERM;
    process.env.TERM = 'xterm';
    try {
      expect(progressMode({ json: false }, tty)).to.equal('bars');
      expect(progressMode({ json: false }, pipe)).to.equal('lines');
      expect(progressMode({ json: true }, tty)).to.equal('off');
      expect(progressMode({ json: false, quiet: true }, tty)).to.equal('off');
      expect(progressMode({ json: true, choice: 'json' }, pipe)).to.equal('json');
      expect(progressMode({ json: false, choice: 'lines' }, tty)).to.equal('lines');
      expect(progressMode({ json: false, choice: 'none' }, pipe)).to.equal('off');
    } finally {
      process.env.TERM = term;
    }
  });

  it('writes a line as each image starts and is done, with its bytes and seconds', () => {
    const out = sink();
    const r = lineRenderer(out.stream, { schedule: () => () => undefined });
    r.listener({ type: 'images-total', total: 1 });
    r.listener({ type: 'image-start', ref: 'reg/a:1', bytes: 2 * 1024 * 1024 });
    r.listener({ type: 'image-done', ref: 'reg/a:1', bytes: 2 * 1024 * 1024, seconds: 1.25 });
    r.stop();
    expect(out.lines()).to.eql([
      '1 images',
      'start reg/a:1 (2.0 MiB)',
      'done  reg/a:1 (2.0 MiB, 1.25 s)',
    ]);
  });

  it('writes a heartbeat after 10 s of silence, with how far the work is, and not before', () => {
    const out = sink();
    let now = 0;
    let tick = (): void => undefined;
    const r = lineRenderer(out.stream, {
      now: () => now,
      schedule: (t) => {
        tick = t;
        return () => undefined;
      },
    });
    r.listener({ type: 'phase', phase: 'upload' });
    r.listener({ type: 'images-total', total: 4 });
    r.listener({ type: 'bytes-total', phase: 'upload', total: 10 * 1024 * 1024 });
    r.listener({ type: 'bytes', phase: 'upload', n: 5 * 1024 * 1024 });
    now = 9_000;
    tick();
    expect(out.lines()).to.have.length(2);
    now = 10_000;
    tick();
    expect(out.lines()[2]).to.equal('... 10s (upload): 0 of 4 images, upload 5.0 MiB of 10.0 MiB');
    now = 15_000;
    tick();
    expect(out.lines()).to.have.length(3);
  });

  it('writes every event as one JSON object a line, with its time', () => {
    const out = sink();
    const r = jsonLineRenderer(out.stream, () => new Date('2026-12-05T00:00:00Z'));
    r.listener({ type: 'bytes', phase: 'fetch', n: 42 });
    expect(JSON.parse(out.lines()[0] ?? '')).to.eql({
      time: '2026-12-05T00:00:00.000Z',
      type: 'bytes',
      phase: 'fetch',
      n: 42,
    });
  });
});
