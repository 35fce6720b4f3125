// The status-bar item, from the project machine's snapshot fixture.
import { describe, expect, it } from 'vitest';
import { statusBarContent, usedOfTotal } from '../../../src/core/present/statusText';
import type { StatusTargetView } from '../../../src/core/present/statusText';
import type { TargetSummary } from '../../../src/shared/protocol';
import { applyRates } from '../../../src/core/analyze/rates';
import { CAPTURE, captureSnapshot } from '../fixtures/snapshots/capture';

/** The machine fixture as the collector delivers it: rates from the previous sample (two real samples 1.57 s apart). */
function machineSnapshot() {
  return applyRates(captureSnapshot(0), captureSnapshot(1));
}

/** Host busy % between the two captured /proc/stat cpu lines, by hand: 100 - idle - iowait over all jiffies. */
function busyPercent(): number {
  const [a, b] = CAPTURE.map((c) => c.cpu);
  const d = (k: keyof typeof a) => b[k] - a[k];
  const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
  return 100 - ((d('idle') + d('iowait')) / total) * 100;
}

function view(id: string, label: string, status: TargetSummary['status'], withSnapshot = true): StatusTargetView {
  return {
    summary: {
      id,
      label,
      status,
      error: status === 'error' ? 'cannot reach root@box:22: connection refused' : null,
      collectedAt: null,
      durationMs: null,
    },
    snapshot: withSnapshot ? machineSnapshot() : null,
  };
}

describe('statusBarContent', () => {
  it('shows the running containers, host CPU and memory of the first connected target', () => {
    const s = machineSnapshot();
    const running = s.containers.filter((c) => c.state === 'running').length;
    const c = statusBarContent([view('ssh:down', 'down', 'error', false), view('local', 'Local', 'connected')], false)!;
    expect(c.targetId).toBe('local');
    const used = s.host.memory.usedBytes;
    const total = s.host.memory.totalBytes;
    expect(used).toBeLessThan(2 ** 30); // so the used figure is in MiB and the total in GiB
    expect(c.text).toBe(
      `$(pulse) Local: ${running} containers  CPU ${busyPercent().toFixed(1)}%  Mem ${(used / 2 ** 20).toFixed(1)} MiB/${(total / 2 ** 30).toFixed(1)} GiB`,
    );
    expect(c.tooltip).toContain(`Docker Monitor: Local (${s.host.hostname})`);
    expect(c.tooltip).toContain(`Containers: ${running} running of ${s.containers.length}`);
    expect(c.tooltip).toContain(`of ${s.host.cpuCount} CPUs`);
    expect(c.tooltip).toContain(`Collected in ${s.durationMs} ms`);
    expect(c.tooltip.endsWith('Click for Monitor: All.')).toBe(true);
  });

  it('prefers a connected target over an earlier one whose figures are stale', () => {
    const c = statusBarContent([view('ssh:a', 'a', 'reconnecting'), view('ssh:b', 'b', 'connected')], false)!;
    expect(c.targetId).toBe('ssh:b');
  });

  it('falls back to stale figures with a warning icon and says why', () => {
    const c = statusBarContent([view('ssh:a', 'a', 'error')], false)!;
    expect(c.text.startsWith('$(warning) a:')).toBe(true);
    expect(c.tooltip).toContain('Not connected (error: cannot reach root@box:22: connection refused)');
  });

  it('shows the pause', () => {
    const c = statusBarContent([view('local', 'Local', 'paused')], true)!;
    expect(c.text.startsWith('$(debug-pause) Local:')).toBe(true);
    expect(c.tooltip).toContain('Refresh is paused.');
  });

  it('hides when no target has data yet', () => {
    expect(statusBarContent([], false)).toBeNull();
    expect(statusBarContent([view('local', 'Local', 'connecting', false)], false)).toBeNull();
  });

  it('shortens long names and keeps a name from rendering as an icon', () => {
    const c = statusBarContent([view('ssh:x', '$(zap) a very long target name indeed', 'connected')], false)!;
    expect(c.text).not.toContain('$(zap)');
    expect(c.text).toContain('…:');
  });

  it('says when Docker cannot be asked', () => {
    const v = view('local', 'Local', 'connected');
    v.snapshot!.docker = {
      ...v.snapshot!.docker,
      reachable: false,
      reason: 'permission denied on /var/run/docker.sock',
    };
    expect(statusBarContent([v], false)!.tooltip).toContain(
      'Docker API unreachable: permission denied on /var/run/docker.sock',
    );
  });
});

describe('usedOfTotal', () => {
  it('shares the unit when it can', () => {
    expect(usedOfTotal(3.1 * 2 ** 30, 15.6 * 2 ** 30)).toBe('3.1/15.6 GiB');
    expect(usedOfTotal(512 * 2 ** 20, 2 ** 30)).toBe('512 MiB/1 GiB');
    expect(usedOfTotal(null, 2 ** 30)).toBe('-/1 GiB');
  });
});
