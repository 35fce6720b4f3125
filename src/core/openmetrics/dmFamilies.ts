// What neither cAdvisor nor node_exporter exports: how a container relates to the host (dm_container_info), the
// gap findings, the active alerts, each target's health and cost, and (opt-in, capped) per-process series.
import type { Alert } from '../alerts/types';
import { shortId } from '../identity';
import type { Finding, Snapshot } from '../model';
import type { FamilySet, Labels } from './exposition';

/** One target as `serve` last saw it. */
export interface ServedTarget {
  name: string;
  /** The newest snapshot while the target is up; null while it is down (then only its health is exported). */
  snapshot: Snapshot | null;
  up: boolean;
  /** Why it is down: one line, never a secret. */
  reason: string | null;
  findings: Finding[];
  alerts: Alert[];
  refreshes: number;
  /** CPU seconds the remote reader used on the target (null locally and over the sh fallback). */
  cpuSeconds: number | null;
}

export function addTargetHealth(set: FamilySet, target: Labels, t: ServedTarget): void {
  set.family(
    'dm_target_up',
    'gauge',
    'Whether the last refresh of the target succeeded (reason: why not).',
  )(t.up ? target : [...target, ['reason', t.reason ?? 'unknown']], t.up ? 1 : 0);
  set.family('dm_refreshes', 'counter', 'Refreshes that succeeded.')(target, t.refreshes);
  set.family(
    'dm_target_cpu_seconds',
    'counter',
    'CPU time the monitor used on the target (its remote reader).',
  )(target, t.cpuSeconds);
  const s = t.snapshot;
  if (!s) return;
  set.family('dm_refresh_duration_seconds', 'gauge', 'Wall time of the last refresh.')(target, s.durationMs / 1000);
  set.family(
    'dm_last_refresh_timestamp_seconds',
    'gauge',
    'When the last refresh was collected.',
  )(target, Date.parse(s.collectedAt) / 1000);
  set.family(
    'dm_docker_up',
    'gauge',
    'Whether the Docker Engine API answered in the last refresh.',
  )(target, s.docker.reachable ? 1 : 0);
}

/** Every container the daemon lists (stopped ones too): its place on the host, for joins on `name`. */
export function addContainerInfo(set: FamilySet, target: Labels, s: Snapshot): void {
  const info = set.family('dm_container', 'info', 'How a container relates to its host: veth, bridge, main PID.');
  for (const c of s.containers)
    info(
      [
        ...target,
        ['id', c.id],
        ['name', c.name],
        ['image', c.image],
        ['state', c.state],
        ['network_mode', c.network.mode],
        ['host_veth', c.network.hostVeth ?? ''],
        ['bridge', c.network.bridge ?? ''],
        ['ip_address', c.network.ipAddress ?? ''],
        ['main_host_pid', c.initPid === null ? '' : String(c.initPid)],
        ['compose_project', c.compose?.project ?? ''],
        ['compose_service', c.compose?.service ?? ''],
      ],
      1,
    );
}

export function addFindings(set: FamilySet, target: Labels, findings: Finding[]): void {
  const add = set.family('dm_gap_finding', 'gauge', 'A gap finding of the last refresh (docs/gap-analysis.md).');
  // One series per rule and subject (a rule may say two things of one subject: the worst is kept).
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.subject.kind}\0${f.subject.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add(
      [
        ...target,
        ['rule', f.rule],
        ['severity', f.severity],
        ['level', f.level],
        ['subject_kind', f.subject.kind],
        ['subject', f.subject.name],
      ],
      1,
    );
  }
}

export function addAlerts(set: FamilySet, target: Labels, alerts: Alert[]): void {
  const add = set.family('dm_alert_active', 'gauge', 'An active alert: when it started, in unixtime.');
  for (const a of alerts)
    add(
      [
        ...target,
        ['rule', a.rule],
        ['severity', a.severity],
        ['subject_kind', a.subject.kind],
        ['subject', a.subject.name],
      ],
      Date.parse(a.startedAt) / 1000,
    );
}

/** The `limit` busiest processes (by CPU in the last interval, then by CPU time): opt-in, since PIDs churn. */
export function addProcesses(set: FamilySet, target: Labels, s: Snapshot, limit: number): void {
  if (limit <= 0) return;
  const cpu = set.family('dm_process_cpu_seconds', 'counter', 'CPU time of the process (user + system).');
  const rss = set.family('dm_process_resident_memory_bytes', 'gauge', 'Resident set size of the process.');
  const threads = set.family('dm_process_threads', 'gauge', 'Threads of the process.');
  const fds = set.family('dm_process_open_fds', 'gauge', 'Open file descriptors (as of the slow refresh).');
  const names = new Map(s.containers.map((c) => [c.id, c.name]));
  const busiest = [...s.processes]
    .sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || b.cpuTimeSeconds - a.cpuTimeSeconds || a.pid - b.pid)
    .slice(0, limit);
  for (const p of busiest) {
    const labels: Labels = [
      ...target,
      ['pid', String(p.pid)],
      ['name', p.name],
      ['container', p.containerId ? (names.get(p.containerId) ?? shortId(p.containerId)) : ''],
    ];
    cpu(labels, p.cpuTimeSeconds);
    rss(labels, p.rssBytes);
    threads(labels, p.threads);
    fds(labels, p.openFds);
  }
}
