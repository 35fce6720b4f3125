// The status-bar item's text: the active target's container count and host CPU / memory, short enough to
// share the bar, with the detail in the tooltip. Pure, so the wording is tested without VS Code.
import type { Snapshot } from '../model';
import type { TargetSummary } from '../../shared/protocol';
import { formatBytes, formatPercent, MISSING } from '../format';
import type { Alert } from '../alerts/types';
import { plainText } from './text';

export interface StatusTargetView {
  summary: TargetSummary;
  snapshot: Snapshot | null;
  alerts?: { active: readonly Alert[] };
}

export interface StatusContent {
  /** With `$(icon)` codicons, as a StatusBarItem takes it. */
  text: string;
  /** Plain lines. */
  tooltip: string;
  /** The target it describes. */
  targetId: string;
  /** Alerts active on any target: the item then takes the warning colour. */
  activeAlerts: number;
}

const MAX_NAME = 24;

/** `3.1/15.6 GiB` when both share a unit, else `512 MiB/15.6 GiB`. */
export function usedOfTotal(used: number | null, total: number | null): string {
  const u = formatBytes(used);
  const t = formatBytes(total);
  if (u === MISSING || t === MISSING) return `${u}/${t}`;
  const [uv, uu] = u.split(' ');
  const [tv, tu] = t.split(' ');
  return uu === tu ? `${uv}/${tv} ${tu}` : `${u}/${t}`;
}

/** Shortened, and with `$(` broken so that a name cannot render as a codicon in the bar. */
function shortName(name: string): string {
  const n = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name;
  return n.replace(/\$\(/g, '$\u200b(');
}

/**
 * Which target the item shows: the first connected one (in tree order), else the first that has data at all.
 * Null when no target has data yet: the item hides rather than show zeros.
 */
export function statusBarContent(targets: readonly StatusTargetView[], paused: boolean): StatusContent | null {
  const live = targets.find(
    (t) => t.snapshot !== null && (t.summary.status === 'connected' || t.summary.status === 'paused'),
  );
  const shown = live ?? targets.find((t) => t.snapshot !== null);
  if (!shown || !shown.snapshot) return null;
  const s = shown.snapshot;
  // From the container list, so that the bar agrees with the tree underneath it.
  const count = (state: string) => s.containers.filter((c) => c.state === state).length;
  const counts = {
    total: s.containers.length,
    running: count('running'),
    exited: count('exited'),
    paused: count('paused'),
    created: count('created'),
  };
  const cpu = s.host.cpuPercent ? formatPercent(s.host.cpuPercent.busy) : MISSING;
  const mem = usedOfTotal(s.host.memory.usedBytes, s.host.memory.totalBytes);
  const icon = paused ? '$(debug-pause)' : live ? '$(pulse)' : '$(warning)';
  const containers = `${counts.running} container${counts.running === 1 ? '' : 's'}`;
  const active = targets.flatMap((t) => t.alerts?.active ?? []);
  const bell = active.length > 0 ? `  $(bell-dot) ${active.length}` : '';
  const text = `${icon} ${shortName(shown.summary.label)}: ${containers}  CPU ${cpu}  Mem ${mem}${bell}`;

  const lines = [
    `Docker Monitor: ${shown.summary.label} (${s.host.hostname})`,
    `Containers: ${counts.running} running of ${counts.total}` +
      (counts.total > counts.running
        ? ` (${counts.exited} exited, ${counts.paused} paused, ${counts.created} created)`
        : ''),
    `CPU: ${cpu} busy of ${s.host.cpuCount} CPU${s.host.cpuCount === 1 ? '' : 's'}, load ${s.host.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    `Memory: ${formatBytes(s.host.memory.usedBytes)} used of ${formatBytes(s.host.memory.totalBytes)}` +
      ` (${formatBytes(s.host.memory.availableBytes)} available)`,
  ];
  if (!s.docker.reachable) lines.push(`Docker API unreachable: ${s.docker.reason ?? 'unknown reason'}`);
  if (paused) lines.push('Refresh is paused.');
  else if (!live)
    lines.push(
      `Not connected (${shown.summary.status}${shown.summary.error ? `: ${shown.summary.error}` : ''}); figures are from ${s.collectedAt}.`,
    );
  else lines.push(`Collected in ${s.durationMs} ms at ${s.collectedAt}.`);
  if (active.length > 0) {
    lines.push(
      `${active.length} active alert${active.length === 1 ? '' : 's'}: ${plainText(active[0].message)}${active.length > 1 ? ', ...' : ''}`,
    );
  }
  lines.push('Click for Monitor: All.');
  return { text, tooltip: lines.join('\n'), targetId: shown.summary.id, activeAlerts: active.length };
}
