// The Targets tree's Markdown tooltips: every value from a target escaped (MarkdownLines). Pure.
import type { ContainerInfo, ProcessInfo, Snapshot } from '../model';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../format';
import { isContainerLive } from './icons';
import { connectionFailed, statusWords, targetAddress } from './targetInput';
import type { TargetState } from './targetInput';
import { MarkdownLines } from './text';
import { innerPid, shortId } from '../identity';
import { containerName } from './treeText';

export function targetTooltip(t: TargetState, name: string): string {
  const md = new MarkdownLines().title(name);
  md.field('Connects to', targetAddress(t));
  md.field('Status', statusWords(t.summary.status) ?? 'connected');
  if (connectionFailed(t)) md.field('Error', t.summary.error);
  const s = t.snapshot;
  if (s) {
    md.field('Host', `${s.host.hostname}, ${s.host.osRelease || 'unknown OS'}, kernel ${s.host.kernel || 'unknown'}`);
    md.field('Docker', dockerText(s));
  }
  // No sample time here: this row then changes only with the connection, and a refresh does not redraw the
  // target's whole subtree (the host row, whose figures do change, carries the time).
  return md.toString();
}

function dockerText(s: Snapshot): string {
  if (!s.docker.reachable) return `API unreachable: ${s.docker.reason ?? 'unknown reason'}`;
  const api = s.docker.apiVersion ? `, API ${s.docker.apiVersion}` : '';
  return `${s.docker.version ?? 'version unknown'}${api}`;
}

export function hostTooltip(s: Snapshot): string {
  const h = s.host;
  const md = new MarkdownLines().title(h.hostname || 'host');
  md.field('OS', h.osRelease || null).field('Kernel', h.kernel || null);
  md.field('Booted', new Date(h.bootTime * 1000).toISOString());
  md.field('CPUs', String(h.cpuCount));
  md.field('Memory', formatBytes(h.memory.totalBytes));
  md.field('Docker', dockerText(s));
  md.field('Cgroups', `v${h.cgroupVersion}`);
  return md.toString();
}

export function hostUsageTooltip(s: Snapshot): string {
  const h = s.host;
  const md = new MarkdownLines().title(`${h.hostname || 'host'} now`);
  md.field('Uptime', formatDuration(h.uptimeSeconds));
  const cpu = h.cpuPercent;
  md.field(
    'CPU',
    cpu
      ? `${formatPercent(cpu.busy)} busy of ${h.cpuCount} CPUs (user ${formatPercent(cpu.user)}, system ${formatPercent(cpu.system)}, iowait ${formatPercent(cpu.iowait)}, steal ${formatPercent(cpu.steal)})`
      : `${h.cpuCount} CPUs (busy share after the next sample)`,
  );
  md.field('Load', h.loadAverage.map((n) => n.toFixed(2)).join(' '));
  const m = h.memory;
  md.field(
    'Memory',
    `${formatBytes(m.usedBytes)} used of ${formatBytes(m.totalBytes)}, ${formatBytes(m.availableBytes)} available`,
  );
  if (m.swapTotalBytes > 0)
    md.field('Swap', `${formatBytes(m.swapUsedBytes)} used of ${formatBytes(m.swapTotalBytes)}`);
  for (const d of h.disks) {
    md.field(
      `Disk (${d.role})`,
      `${d.path}: ${formatBytes(d.usedBytes)} used of ${formatBytes(d.totalBytes)} (${formatPercent(d.usedPercent)}), ${formatBytes(d.availableBytes)} available`,
    );
  }
  const n = h.containerCounts;
  md.field('Containers', `${n.running} running, ${n.total} in all`);
  md.field('Sampled', `${s.collectedAt} in ${s.durationMs} ms`);
  if (s.warnings.length > 0) {
    md.gap().raw('**Could not read everything:**');
    for (const w of s.warnings) md.text(w);
  }
  return md.toString();
}

export function containerTooltip(s: Snapshot, c: ContainerInfo): string {
  const md = new MarkdownLines().title(containerName(c));
  md.field('ID', shortId(c.id));
  md.field('Image', c.image || null);
  md.field('State', c.status && c.status !== c.state ? `${c.state} (${c.status})` : c.state);
  md.field('Health', c.health);
  if (c.compose) md.field('Compose', `${c.compose.project}${c.compose.service ? ` / ${c.compose.service}` : ''}`);
  if (isContainerLive(c)) {
    const limit = c.cpu.limitCpus === null ? 'no CPU limit' : `limit ${c.cpu.limitCpus} CPU`;
    const throttled = c.cpu.throttledPercent
      ? `, throttled in ${formatPercent(c.cpu.throttledPercent)} of periods`
      : '';
    md.field('CPU', `${formatPercent(c.cpu.percent)} (${limit}${throttled})`);
    const pct = c.memory.percent === null ? '' : ` (${formatPercent(c.memory.percent)})`;
    md.field(
      'Memory',
      c.memory.limitBytes === null
        ? `${formatBytes(c.memory.usageBytes)}, no limit`
        : `${formatBytes(c.memory.usageBytes)} of ${formatBytes(c.memory.limitBytes)}${pct}`,
    );
    if (c.memory.oomKills) md.field('OOM kills', String(c.memory.oomKills));
    if (c.pids.current !== null)
      md.field('PIDs', c.pids.limit === null ? String(c.pids.current) : `${c.pids.current} of ${c.pids.limit}`);
    const net = c.network;
    const where = [
      net.mode,
      net.ipAddress,
      net.hostVeth ? `host veth ${net.hostVeth}${net.bridge ? ` on ${net.bridge}` : ''}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    md.field('Network', where || null);
    if (net.rxBytesPerSec !== null || net.txBytesPerSec !== null)
      md.field('Traffic', `rx ${formatRate(net.rxBytesPerSec)}, tx ${formatRate(net.txBytesPerSec)}`);
    if (c.blockIo.readBytesPerSec !== null || c.blockIo.writeBytesPerSec !== null) {
      md.field(
        'Block I/O',
        `read ${formatRate(c.blockIo.readBytesPerSec)}, write ${formatRate(c.blockIo.writeBytesPerSec)}`,
      );
    }
    md.field('Main PID', c.initPid === null ? null : String(c.initPid));
  }
  md.field('Started', c.startedAt);
  if (c.restartCount) md.field('Restarts', String(c.restartCount));
  if (c.source === 'cgroup') {
    md.gap().text(
      s.docker.reachable
        ? 'Found from cgroups only: the Docker API does not describe it.'
        : 'Found from cgroups only: the Docker API is unreachable, so its name, image and state are unknown.',
    );
  }
  return md.toString();
}

function listening(p: ProcessInfo): string | null {
  const ports = p.sockets.filter((k) => k.listening);
  if (ports.length === 0) return null;
  return ports
    .map((k) => `${k.protocol} ${k.localAddress.includes(':') ? `[${k.localAddress}]` : k.localAddress}:${k.localPort}`)
    .join(', ');
}

export function processTooltip(p: ProcessInfo, container: ContainerInfo | undefined, age: string): string {
  const md = new MarkdownLines().title(p.name);
  md.field('Command', p.command || `[${p.name}] (kernel thread)`);
  const inner = innerPid(p.nsPid);
  md.field(
    'PID',
    inner === null
      ? `${p.pid}`
      : `${p.pid} on the host, ${inner} inside its PID namespace (NSpid ${p.nsPid.join(' → ')})`,
  );
  md.field('Parent PID', String(p.ppid));
  md.field('User', p.user === null ? (p.uid === null ? null : String(p.uid)) : `${p.user} (${p.uid ?? '?'})`);
  md.field('State', p.state);
  md.field('CPU', `${formatPercent(p.cpuPercent)} of one CPU, ${formatDuration(p.cpuTimeSeconds)} in all`);
  md.field('Memory', `RSS ${formatBytes(p.rssBytes)}, virtual ${formatBytes(p.vszBytes)}`);
  md.field('Threads', String(p.threads));
  md.field('Open files', p.openFds === null ? null : `${p.openFds}${age}`);
  md.field('Started', p.startTime);
  md.field(
    'Container',
    p.containerId === null
      ? 'none (runs on the host)'
      : container
        ? `${containerName(container)} (${shortId(p.containerId)})`
        : shortId(p.containerId),
  );
  const ports = listening(p);
  md.field('Listening', ports === null ? null : `${ports}${age}`);
  return md.toString();
}
