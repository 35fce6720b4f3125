// The pure parts of --watch: when the next tick starts, how a frame fits a terminal, and one NDJSON line.
import { describe, expect, it } from 'vitest';
import { nextTickDelay, watch } from '../../../src/cli/watch';
import { Collector } from '../../../src/core/collect/collector';
import { LocalTransport } from '../../../src/core/transport/local';
import type { BatchPlan, BatchResult } from '../../../src/core/transport/types';
import { MonitorError } from '../../../src/core/errors';
import type { MonitorOptions } from '../../../src/cli/args';

/** This machine, read for real, until the target "hangs": once `hung` is set, no answer ever comes. */
class HangingTransport extends LocalTransport {
  hung = false;
  override readBatch(plan: BatchPlan): Promise<BatchResult> {
    return this.hung ? new Promise(() => undefined) : super.readBatch(plan);
  }
}
import { fitToTerminal, redraw } from '../../../src/cli/terminalFrame';
import { toJsonLine } from '../../../src/core/json';

describe('nextTickDelay', () => {
  it('measures the interval start to start when the sample was shorter', () => {
    expect(nextTickDelay(1000, 1200, 1000)).toBe(800);
    expect(nextTickDelay(1000, 1000, 300)).toBe(300);
  });

  it('starts at once, never piling up, when the sample took the whole interval or longer', () => {
    expect(nextTickDelay(1000, 2000, 1000)).toBe(0);
    expect(nextTickDelay(1000, 5000, 1000)).toBe(0);
  });
});

describe('watch on a target that stops answering', () => {
  it('ends with one timeout error at the deadline instead of waiting for ever', async () => {
    const transport = new HangingTransport();
    const collector = new Collector(transport, { socketPath: '/nonexistent/docker.sock', dockerEvents: false });
    const options = {
      targetText: 'local',
      target: { kind: 'local' },
      json: true,
      intervalSeconds: 0.05,
      acceptNewHostKey: false,
      watch: true,
      count: 5,
    } as unknown as MonitorOptions;
    const out: string[] = [];
    const started = performance.now();
    const stdout = (t: string) => {
      out.push(t);
      transport.hung = true; // after the first snapshot printed
    };
    const ended = await watch(collector, { kind: 'host' }, options, { stdout, stderr: () => undefined }, 1500).catch(
      (e: unknown) => e,
    );
    expect(ended).toBeInstanceOf(MonitorError);
    expect((ended as MonitorError).code).toBe('timeout');
    expect((ended as MonitorError).message).toBe('local did not answer within 1.5 s');
    expect(out).toHaveLength(1);
    // The hang came after the first snapshot: one deadline after it, well before the test's own timeout.
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 20_000);
});

describe('fitToTerminal', () => {
  const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');

  it('keeps a frame that fits as it is', () => {
    expect(fitToTerminal('a\nb\n\nc', 80, 24)).toEqual(['a', 'b', '', 'c']);
  });

  it('keeps one row free, so that the frame never scrolls, and says how many lines were cut', () => {
    const lines = fitToTerminal(text, 80, 5);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(lines[3]).toMatch(/^… 7 more lines/);
    expect(fitToTerminal(text, 80, 11)).toHaveLength(10);
    expect(fitToTerminal(text, 80, 10)).toHaveLength(9);
  });

  it('cuts long lines short of the last column, and copes with a tiny terminal', () => {
    const [line] = fitToTerminal('x'.repeat(50), 20, 24);
    expect([...line]).toHaveLength(19);
    expect(line.endsWith('…')).toBe(true);
    expect(fitToTerminal(text, 1, 1)).toHaveLength(1);
    expect(fitToTerminal(text, 0, 0)).toHaveLength(1);
  });
});

describe('redraw', () => {
  it('goes home, clears each line to its end and everything below the frame', () => {
    expect(redraw(['a', 'bb'])).toBe('\x1b[Ha\x1b[K\nbb\x1b[K\n\x1b[J');
  });
});

describe('toJsonLine', () => {
  it('is one line whatever the strings hold, and parses back', () => {
    const value = { name: 'evil\n\u2028\u2029\u009b[2J', nested: { list: [1, 'two'] } };
    const line = toJsonLine(value);
    expect(line).not.toMatch(/[\n\r\u2028\u2029\u0080-\u009f]/);
    expect(JSON.parse(line)).toEqual(value);
  });
});
