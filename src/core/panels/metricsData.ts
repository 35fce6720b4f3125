// Snapshot -> MetricsData for one host, container or process. Pure.
import type { ContainerInfo, HostInfo, ProcessInfo, Snapshot } from '../model';
import type { MetricsData, TargetSummary } from '../../shared/protocol';
import { sampleOf } from './sample';
import { MISSING, formatBytes, formatDuration, formatPercent, formatRate, slowTierAge } from '../format';
import { shortId, containerLabel } from '../identity';

export interface MetricsSubject {
  kind: 'host' | 'container' | 'process';
  /** Container id or host PID as a string; ignored for the host. */
  id: string;
  /** The process's start ticks when the panel was opened: a PID reused by another process is not the subject. */
  startTicks?: number | undefined;
}

type Figures = Array<[string, string]>;

/** "2026-11-25T13:28:57.540Z" -> "2026-11-25 13:28:57 UTC": the extension host's locale is not the reader's. */
export function timestampText(iso: string | null): string {
  if (!iso) return MISSING;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function orMissing(v: number | string | null | undefined): string {
  return v === null || v === undefined || v === '' ? MISSING : String(v);
}

/** "used / limit (percent)", or "used (no limit)". */
function usedOf(
  used: number | null,
  limit: number | null,
  percent: number | null,
  format: (n: number | null) => string,
): string {
  if (limit === null) return `${format(used)} (no limit)`;
  return `${format(used)} / ${format(limit)}${percent === null ? '' : ` (${formatPercent(percent)})`}`;
}

function hostFigures(h: HostInfo, s: Snapshot): Figures {
  const cpu = h.cpuPercent;
  const physical = h.interfaces.filter((i) => i.kind === 'physical');
  const sample = sampleOf(s, { kind: 'host', id: '' });
  const figures: Figures = [
    ['Host', h.hostname || MISSING],
    ['OS', `${h.osRelease || 'unknown OS'}, kernel ${h.kernel || 'unknown'}`],
    ['Uptime', formatDuration(h.uptimeSeconds)],
    [
      'CPU',
      cpu
        ? `${formatPercent(cpu.busy)} busy (user ${formatPercent(cpu.user)}, system ${formatPercent(cpu.system)}, iowait ${formatPercent(cpu.iowait)})`
        : MISSING,
    ],
    ['CPUs', String(h.cpuCount)],
    ['Load average', h.loadAverage.map((l) => l.toFixed(2)).join(' ')],
    [
      'Memory',
      usedOf(
        h.memory.usedBytes,
        h.memory.totalBytes,
        h.memory.totalBytes > 0 ? (h.memory.usedBytes / h.memory.totalBytes) * 100 : null,
        formatBytes,
      ),
    ],
    [
      'Swap',
      h.memory.swapTotalBytes > 0
        ? usedOf(
            h.memory.swapUsedBytes,
            h.memory.swapTotalBytes,
            (h.memory.swapUsedBytes / h.memory.swapTotalBytes) * 100,
            formatBytes,
          )
        : 'none',
    ],
  ];
  for (const d of h.disks) {
    figures.push([
      `Disk ${d.path}`,
      `${formatBytes(d.usedBytes)} / ${formatBytes(d.totalBytes)} (${formatPercent(d.usedPercent)})`,
    ]);
  }
  figures.push(
    [
      `Network rx (${physical.map((i) => i.name).join(', ') || 'no physical interface'})`,
      formatRate(sample?.rxBytesPerSec),
    ],
    [
      `Network tx (${physical.map((i) => i.name).join(', ') || 'no physical interface'})`,
      formatRate(sample?.txBytesPerSec),
    ],
    ['Containers', `${h.containerCounts.running} running of ${h.containerCounts.total}`],
  );
  return figures;
}

function containerFigures(c: ContainerInfo): Figures {
  const cpuLimit = c.cpu.limitCpus === null ? 'no limit' : `${c.cpu.limitCpus} CPU`;
  const health = c.health ? `, ${c.health}` : '';
  return [
    ['Name', containerLabel(c)],
    ['ID', shortId(c.id)],
    ['Image', orMissing(c.image)],
    ['State', `${c.state}${health}${c.status ? ` (${c.status})` : ''}`],
    ['CPU', `${formatPercent(c.cpu.percent)} (limit: ${cpuLimit})`],
    [
      'CPU throttled',
      c.cpu.throttledPercent === null ? MISSING : `${formatPercent(c.cpu.throttledPercent)} of periods`,
    ],
    ['Memory', usedOf(c.memory.usageBytes, c.memory.limitBytes, c.memory.percent, formatBytes)],
    ['Memory cache', formatBytes(c.memory.cacheBytes)],
    ['Swap', formatBytes(c.memory.swapBytes)],
    ['OOM kills', orMissing(c.memory.oomKills)],
    ['PIDs', usedOf(c.pids.current, c.pids.limit, null, (n) => orMissing(n))],
    ['Network rx', formatRate(c.network.rxBytesPerSec)],
    ['Network tx', formatRate(c.network.txBytesPerSec)],
    ['Block read', formatRate(c.blockIo.readBytesPerSec)],
    ['Block write', formatRate(c.blockIo.writeBytesPerSec)],
    ['Restarts', orMissing(c.restartCount)],
    ['Started', timestampText(c.startedAt)],
  ];
}

function processFigures(p: ProcessInfo, s: Snapshot): Figures {
  const container = p.containerId === null ? null : s.containers.find((c) => c.id === p.containerId);
  const inner = p.nsPid.length > 1 ? p.nsPid[p.nsPid.length - 1] : null;
  return [
    ['Name', p.name],
    ['Command', p.command || MISSING],
    ['Host PID', String(p.pid)],
    ['PID in container', inner === null ? (p.containerId ? 'same as host PID' : MISSING) : String(inner)],
    ['Parent PID', String(p.ppid)],
    [
      'Container',
      p.containerId === null ? 'none (host process)' : container ? containerLabel(container) : shortId(p.containerId),
    ],
    ['User', p.user ?? (p.uid === null ? MISSING : String(p.uid))],
    ['State', p.state],
    ['CPU', formatPercent(p.cpuPercent)],
    ['CPU time', formatDuration(p.cpuTimeSeconds)],
    ['RSS', formatBytes(p.rssBytes)],
    ['Virtual size', formatBytes(p.vszBytes)],
    ['Threads', String(p.threads)],
    ['Open files', p.openFds === null ? MISSING : `${p.openFds}${slowTierAge(s)}`],
    ['Started', timestampText(p.startTime)],
  ];
}

/** The process with this PID, unless the PID now belongs to another process (different start ticks). */
export function findProcess(s: Snapshot, pid: string, startTicks?: number): ProcessInfo | null {
  const p = s.processes.find((x) => String(x.pid) === pid);
  if (!p) return null;
  return startTicks === undefined || p.startTicks === startTicks ? p : null;
}

export function buildMetricsData(target: TargetSummary, s: Snapshot | null, subject: MetricsSubject): MetricsData {
  const kind = subject.kind;
  const id = kind === 'host' ? '' : subject.id;
  const empty = (name: string, gone: boolean): MetricsData => ({
    target,
    subject: { kind, id, name },
    gone,
    sample: null,
    figures: [],
  });
  if (kind === 'host') {
    if (!s) return empty(target.label, false);
    return {
      target,
      subject: { kind, id, name: s.host.hostname || target.label },
      gone: false,
      sample: sampleOf(s, { kind, id }),
      figures: hostFigures(s.host, s),
    };
  }
  if (kind === 'container') {
    const c = s?.containers.find((x) => x.id === id);
    if (!s) return empty(shortId(id), false);
    if (!c) return empty(shortId(id), true);
    return {
      target,
      subject: { kind, id, name: containerLabel(c) },
      gone: false,
      sample: sampleOf(s, { kind, id }),
      figures: containerFigures(c),
    };
  }
  if (!s) return empty(`PID ${id}`, false);
  const p = findProcess(s, id, subject.startTicks);
  if (!p) return empty(`PID ${id}`, true);
  return {
    target,
    subject: { kind, id, name: `${p.name} (${p.pid})` },
    gone: false,
    sample: sampleOf(s, { kind, id }),
    figures: processFigures(p, s),
  };
}
