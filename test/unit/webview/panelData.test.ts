import { describe, expect, it } from 'vitest';
import type { TargetSummary } from '../../../src/shared/protocol';
import { isExtensionMessage } from '../../../src/shared/protocol';
import { TOP_PROCESS_LIMIT, buildDashboardData, topProcesses } from '../../../src/core/panels/dashboardData';
import { buildMetricsData, findProcess, timestampText } from '../../../src/core/panels/metricsData';
import { buildCorrelationData } from '../../../src/core/panels/correlationData';
import { buildGapsData } from '../../../src/core/panels/gapsData';
import { buildPanelMessage, unknownTargetSummary } from '../../../src/core/panels/panelMessage';
import { containerNamed, machineSnapshot, rawJson } from './fixtures/load';

const MIB = 1024 * 1024;
const target: TargetSummary = {
  id: 'local',
  label: 'Local',
  status: 'connected',
  error: null,
  collectedAt: '2026-11-25T13:50:00.327Z',
  durationMs: 80,
};

function figure(figures: Array<[string, string]>, label: string): string {
  const f = figures.find(([l]) => l === label);
  if (!f) throw new Error(`no figure ${label} in ${figures.map(([l]) => l).join(', ')}`);
  return f[1];
}

describe('buildDashboardData', () => {
  const s = machineSnapshot();
  const raw = rawJson();
  const d = buildDashboardData(target, s);

  it('carries every container and the host of the snapshot', () => {
    expect(d.target).toBe(target);
    expect(d.containers.map((c) => c.id)).toEqual(raw.containers.map((c: { id: string }) => c.id));
    expect(d.host?.hostname).toBe(raw.host.hostname);
    expect(d.warnings).toEqual(raw.warnings);
  });

  it('lists at most 50 processes, busiest first, and none left out is busier', () => {
    expect(raw.processes.length).toBeGreaterThan(TOP_PROCESS_LIMIT);
    expect(d.topProcesses).toHaveLength(TOP_PROCESS_LIMIT);
    const cpu = d.topProcesses.map((p) => p.cpuPercent ?? 0);
    for (let i = 1; i < cpu.length; i++) expect(cpu[i]).toBeLessThanOrEqual(cpu[i - 1]);
    const shown = new Set(d.topProcesses.map((p) => p.pid));
    const floor = cpu[cpu.length - 1];
    for (const p of raw.processes as Array<{ pid: number; cpuPercent: number | null }>) {
      if (!shown.has(p.pid)) expect(p.cpuPercent ?? 0).toBeLessThanOrEqual(floor);
    }
  });

  it("puts dm-limited's spinning `yes` (capped at 0.5 CPU) among the busiest", () => {
    const yes = d.topProcesses.find((p) => p.name === 'yes');
    expect(yes?.containerId).toBe(containerNamed(s, 'dm-limited').id);
    expect(d.topProcesses.indexOf(yes!)).toBeLessThan(3);
    expect(yes!.cpuPercent).toBeGreaterThan(40);
    expect(yes!.cpuPercent).toBeLessThanOrEqual(51);
  });

  it("has the host's sample: CPU busy, memory used of total, physical interfaces' rates", () => {
    expect(d.sample?.t).toBe(Date.parse(raw.collectedAt));
    expect(d.sample?.cpuPercent).toBe(raw.host.cpuPercent.busy);
    expect(d.sample?.memoryBytes).toBe(raw.host.memory.usedBytes);
    expect(d.sample?.memoryLimitBytes).toBe(raw.host.memory.totalBytes);
    const eth = (raw.host.interfaces as Array<{ kind: string; rxBytesPerSec: number }>).filter(
      (i) => i.kind === 'physical',
    );
    expect(d.sample?.rxBytesPerSec).toBe(eth.reduce((a, i) => a + i.rxBytesPerSec, 0));
  });

  it('shows nothing but the target before the first snapshot', () => {
    expect(buildDashboardData(target, null)).toEqual({
      target,
      host: null,
      containers: [],
      topProcesses: [],
      sample: null,
      warnings: [],
    });
  });

  it('topProcesses honours a smaller limit and keeps equal CPU in RSS order', () => {
    const top = topProcesses(s, 10);
    expect(top).toHaveLength(10);
    for (let i = 1; i < top.length; i++) {
      if ((top[i].cpuPercent ?? 0) === (top[i - 1].cpuPercent ?? 0))
        expect(top[i].rssBytes).toBeLessThanOrEqual(top[i - 1].rssBytes);
    }
  });
});

describe('buildMetricsData', () => {
  const s = machineSnapshot();
  const limited = containerNamed(s, 'dm-limited');

  it('container dm-limited: its limits from `docker run --memory 64m --cpus 0.5 --pids-limit 50`', () => {
    const m = buildMetricsData(target, s, { kind: 'container', id: limited.id });
    expect(m.gone).toBe(false);
    expect(m.subject).toEqual({ kind: 'container', id: limited.id, name: 'dm-limited' });
    expect(m.sample?.memoryLimitBytes).toBe(64 * MIB);
    expect(figure(m.figures, 'Memory')).toMatch(/ \/ 64 MiB \(\d+(\.\d)?%\)$/);
    expect(figure(m.figures, 'CPU')).toMatch(/\(limit: 0\.5 CPU\)$/);
    expect(figure(m.figures, 'PIDs')).toBe(`${limited.processes.length} / 50`);
    expect(figure(m.figures, 'ID')).toBe(limited.id.slice(0, 12));
    expect(figure(m.figures, 'Image')).toBe('dm-busybox:test');
    expect(figure(m.figures, 'CPU throttled')).toMatch(/% of periods$/);
  });

  it('container dm-unlimited says "no limit" rather than a number', () => {
    const c = containerNamed(s, 'dm-unlimited');
    const m = buildMetricsData(target, s, { kind: 'container', id: c.id });
    expect(figure(m.figures, 'Memory')).toMatch(/\(no limit\)$/);
    expect(figure(m.figures, 'CPU')).toMatch(/\(limit: no limit\)$/);
    expect(m.sample?.memoryLimitBytes).toBeNull();
  });

  it('a stopped container exists (not gone) but has no CPU figure', () => {
    const c = containerNamed(s, 'dm-stopped');
    const m = buildMetricsData(target, s, { kind: 'container', id: c.id });
    expect(m.gone).toBe(false);
    expect(m.sample?.cpuPercent).toBeNull();
    expect(figure(m.figures, 'State')).toMatch(/^created/);
  });

  it('a container id the snapshot does not hold is gone', () => {
    const m = buildMetricsData(target, s, { kind: 'container', id: 'f'.repeat(64) });
    expect(m).toMatchObject({ gone: true, sample: null, figures: [], subject: { name: 'ffffffffffff' } });
  });

  it('host: named by its hostname, with its CPU count, and disks', () => {
    const raw = rawJson();
    const m = buildMetricsData(target, s, { kind: 'host', id: 'ignored' });
    expect(m.subject).toEqual({ kind: 'host', id: '', name: raw.host.hostname });
    expect(figure(m.figures, 'CPUs')).toBe(String(raw.host.cpuCount));
    expect(figure(m.figures, 'Load average')).toBe(
      (raw.host.loadAverage as number[]).map((l) => l.toFixed(2)).join(' '),
    );
    for (const disk of raw.host.disks as Array<{ path: string }>)
      expect(figure(m.figures, `Disk ${disk.path}`)).toMatch(/%\)$/);
    expect(figure(m.figures, 'Containers')).toBe(
      `${raw.host.containerCounts.running} running of ${raw.host.containerCounts.total}`,
    );
  });

  it('process: host PID and in-container PID from NSpid', () => {
    const yes = s.processes.find((p) => p.name === 'yes')!;
    const m = buildMetricsData(target, s, { kind: 'process', id: String(yes.pid), startTicks: yes.startTicks });
    expect(m.gone).toBe(false);
    expect(m.subject.name).toBe(`yes (${yes.pid})`);
    expect(figure(m.figures, 'Host PID')).toBe(String(yes.nsPid[0]));
    expect(figure(m.figures, 'PID in container')).toBe(String(yes.nsPid[yes.nsPid.length - 1]));
    expect(figure(m.figures, 'Container')).toBe('dm-limited');
    expect(m.sample?.cpuPercent).toBe(yes.cpuPercent);
    expect(m.sample?.memoryBytes).toBe(yes.rssBytes);
  });

  it('a host process is labelled as such', () => {
    const init = s.processes.find((p) => p.pid === 1)!;
    const m = buildMetricsData(target, s, { kind: 'process', id: '1' });
    expect(figure(m.figures, 'Container')).toBe('none (host process)');
    expect(figure(m.figures, 'PID in container')).toBe('-');
    expect(figure(m.figures, 'Started')).toBe(timestampText(init.startTime));
  });

  it('a PID that now belongs to another process (other start ticks) is gone', () => {
    const yes = s.processes.find((p) => p.name === 'yes')!;
    const m = buildMetricsData(target, s, { kind: 'process', id: String(yes.pid), startTicks: yes.startTicks + 1 });
    expect(m).toMatchObject({ gone: true, sample: null, figures: [], subject: { name: `PID ${yes.pid}` } });
    expect(findProcess(s, String(yes.pid), yes.startTicks + 1)).toBeNull();
    expect(findProcess(s, String(yes.pid))).toBe(yes);
  });

  it('before the first snapshot nothing is gone yet', () => {
    expect(buildMetricsData(target, null, { kind: 'process', id: '42' })).toMatchObject({
      gone: false,
      sample: null,
      subject: { name: 'PID 42' },
    });
    expect(buildMetricsData(target, null, { kind: 'host', id: '' })).toMatchObject({
      gone: false,
      subject: { name: 'Local' },
    });
  });

  it('timestampText keeps the UTC time, without the fraction', () => {
    expect(timestampText('2026-11-25T13:28:57.540Z')).toBe('2026-11-25 13:28:57 UTC');
    expect(timestampText('2026-11-25T13:28:57.123456789Z')).toBe('2026-11-25 13:28:57 UTC');
    expect(timestampText(null)).toBe('-');
    expect(timestampText('yesterday')).toBe('yesterday');
  });
});

describe('buildCorrelationData', () => {
  const s = machineSnapshot();

  it('correlates dm-limited: its processes, veth pair and cgroup from the snapshot', () => {
    const c = containerNamed(s, 'dm-limited');
    const d = buildCorrelationData(target, s, c.id);
    expect(d.gone).toBe(false);
    expect(d.correlation?.container).toEqual({ id: c.id, name: 'dm-limited' });
    expect(d.correlation?.rows.map((r) => r.aspect)).toEqual([
      'Spec',
      'On disk',
      'In memory',
      'In network',
      'Runtime context',
      'Isolation',
    ]);
    expect(d.correlation?.processes).toEqual(c.processes);
    expect(d.correlation?.hostVeth).toBe(c.network.hostVeth);
    expect(d.correlation?.bridge).toBe('docker0');
    expect(d.correlation?.cgroupPath).toBe(`/docker/${c.id}`);
  });

  it('a container that is not in the snapshot is gone; no snapshot yet is not', () => {
    expect(buildCorrelationData(target, s, 'f'.repeat(64))).toEqual({ target, correlation: null, gone: true });
    expect(buildCorrelationData(target, null, 'f'.repeat(64))).toEqual({ target, correlation: null, gone: false });
  });
});

describe('buildGapsData', () => {
  const s = machineSnapshot();

  it('finds the gaps the test containers were made to show', () => {
    const d = buildGapsData(target, s);
    const unlimited = containerNamed(s, 'dm-unlimited');
    const hostnet = containerNamed(s, 'dm-hostnet');
    expect(d.findings.some((f) => f.rule === 'no-memory-limit' && f.subject.id === unlimited.id)).toBe(true);
    expect(d.findings.some((f) => f.rule === 'host-network' && f.subject.id === hostnet.id)).toBe(true);
    // dm-limited has every limit: no "no limit" finding about it.
    const limited = containerNamed(s, 'dm-limited');
    expect(d.findings.filter((f) => f.subject.id === limited.id && /^no-.*-limit$/.test(f.rule))).toEqual([]);
  });

  it('has no findings before the first snapshot', () => {
    expect(buildGapsData(target, null)).toEqual({ target, findings: [] });
  });
});

describe('buildPanelMessage', () => {
  const s = machineSnapshot();
  const limited = containerNamed(s, 'dm-limited');

  it('builds the message type of each panel, and each survives postMessage (JSON) and the guard', () => {
    const cases = [
      [{ panel: 'dashboard', targetId: 'local' }, 'dashboard'],
      [{ panel: 'gaps', targetId: 'local' }, 'gaps'],
      [{ panel: 'correlation', targetId: 'local', kind: 'container', id: limited.id }, 'correlation'],
      [{ panel: 'metrics', targetId: 'local', kind: 'container', id: limited.id }, 'metrics'],
    ] as const;
    for (const [subject, type] of cases) {
      const m = buildPanelMessage(subject, target, s);
      expect(m.type).toBe(type);
      const copy: unknown = JSON.parse(JSON.stringify(m));
      expect(copy).toEqual(m);
      expect(isExtensionMessage(copy)).toBe(true);
    }
  });

  it('a metrics subject without a kind is the host', () => {
    const m = buildPanelMessage({ panel: 'metrics', targetId: 'local' }, target, s);
    expect(m.type === 'metrics' && m.data.subject.kind).toBe('host');
  });

  it('names a target that is no longer configured as an error', () => {
    const t = unknownTargetSummary('ssh:gone');
    expect(t).toMatchObject({ id: 'ssh:gone', status: 'error', collectedAt: null });
    expect(t.error).toContain('ssh:gone');
    const m = buildPanelMessage({ panel: 'dashboard', targetId: 'ssh:gone' }, t, null);
    expect(m.type === 'dashboard' && m.data.host).toBeNull();
  });
});

describe('the slow tier in panels', () => {
  it('says how old open files and listening sockets are when they were read before the refresh', () => {
    const s = machineSnapshot();
    const p = s.processes.find((x) => x.openFds !== null)!;
    const c = s.containers.find((x) => x.state === 'running')!;
    const now = { ...s, slowReadAt: s.collectedAt };
    expect(figure(buildMetricsData(target, now, { kind: 'process', id: String(p.pid) }).figures, 'Open files')).toBe(
      String(p.openFds),
    );
    const old = { ...s, slowReadAt: '2026-11-25T13:49:42.000Z' };
    expect(figure(buildMetricsData(target, old, { kind: 'process', id: String(p.pid) }).figures, 'Open files')).toBe(
      `${p.openFds} (as of 13:49:42 UTC)`,
    );
    const row = (x: typeof s) =>
      buildCorrelationData(target, x, c.id).correlation!.rows.find((r) => r.aspect === 'In network')!.process;
    expect(row(now)).not.toContain('as of');
    expect(row(old)).toMatch(/ \(as of 13:49:42 UTC\)$/);
  });
});
