// The columns of the dashboard's container and process tables, and its host pressure cards. Pure.
import type { ContainerInfo, Pressure, PressureSet, ProcessInfo } from '../model';
import { MISSING, formatBytes, formatPercent, formatRate } from '../format';
import type { Column } from './tableModel';
import { containerLabel, innerPid, shortId } from '../identity';

function memoryText(c: ContainerInfo): string {
  if (c.memory.usageBytes === null) return MISSING;
  return c.memory.limitBytes === null
    ? `${formatBytes(c.memory.usageBytes)} / no limit`
    : `${formatBytes(c.memory.usageBytes)} / ${formatBytes(c.memory.limitBytes)}`;
}

function pidsText(c: ContainerInfo): string {
  if (c.pids.current === null) return MISSING;
  return c.pids.limit === null ? String(c.pids.current) : `${c.pids.current} / ${c.pids.limit}`;
}

function blockIoText(c: ContainerInfo): string {
  const { readBytesPerSec: r, writeBytesPerSec: w } = c.blockIo;
  return r === null && w === null ? MISSING : `${formatRate(r)} / ${formatRate(w)}`;
}

function stateText(c: ContainerInfo): string {
  return c.health ? `${c.state} (${c.health})` : c.state;
}

export const CONTAINER_COLUMNS: ReadonlyArray<Column<ContainerInfo>> = [
  { key: 'name', label: 'Name', numeric: false, value: (c) => containerLabel(c), text: (c) => containerLabel(c) },
  { key: 'state', label: 'State', numeric: false, value: stateText, text: stateText },
  {
    key: 'cpu',
    label: 'CPU',
    numeric: true,
    value: (c) => c.cpu.percent,
    text: (c) => formatPercent(c.cpu.percent),
    title: 'CPU % of one core, as docker stats shows it',
  },
  { key: 'memory', label: 'Memory / limit', numeric: true, value: (c) => c.memory.usageBytes, text: memoryText },
  {
    key: 'memoryPercent',
    label: 'Mem %',
    numeric: true,
    value: (c) => c.memory.percent,
    text: (c) => formatPercent(c.memory.percent),
    title: 'Memory used as a share of the limit',
  },
  {
    key: 'rx',
    label: 'Net rx',
    numeric: true,
    value: (c) => c.network.rxBytesPerSec,
    text: (c) => formatRate(c.network.rxBytesPerSec),
  },
  {
    key: 'tx',
    label: 'Net tx',
    numeric: true,
    value: (c) => c.network.txBytesPerSec,
    text: (c) => formatRate(c.network.txBytesPerSec),
  },
  {
    key: 'blockIo',
    label: 'Block I/O',
    numeric: true,
    value: (c) =>
      c.blockIo.readBytesPerSec === null && c.blockIo.writeBytesPerSec === null
        ? null
        : (c.blockIo.readBytesPerSec ?? 0) + (c.blockIo.writeBytesPerSec ?? 0),
    text: blockIoText,
    title: 'Read / write per second',
  },
  { key: 'pids', label: 'PIDs', numeric: true, value: (c) => c.pids.current, text: pidsText },
  { key: 'image', label: 'Image', numeric: false, value: (c) => c.image, text: (c) => c.image || MISSING },
];

/** Fields a filter finds a container by beyond its columns: full id, compose project and service, labels. */
export function containerSearchText(c: ContainerInfo): string[] {
  return [
    c.id,
    c.compose?.project ?? '',
    c.compose?.service ?? '',
    ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
  ];
}

export interface ProcessRow {
  p: ProcessInfo;
  /** The container's name, null for a host process. */
  container: string | null;
}

export function processRows(processes: readonly ProcessInfo[], containers: readonly ContainerInfo[]): ProcessRow[] {
  const names = new Map(containers.map((c) => [c.id, containerLabel(c)]));
  return processes.map((p) => ({
    p,
    container: p.containerId === null ? null : (names.get(p.containerId) ?? shortId(p.containerId)),
  }));
}

export const PROCESS_COLUMNS: ReadonlyArray<Column<ProcessRow>> = [
  { key: 'pid', label: 'PID', numeric: true, value: (r) => r.p.pid, text: (r) => String(r.p.pid), title: 'Host PID' },
  {
    key: 'innerPid',
    label: 'PID inside',
    numeric: true,
    value: (r) => innerPid(r.p.nsPid),
    text: (r) => String(innerPid(r.p.nsPid) ?? MISSING),
    title: "PID in the container's PID namespace (NSpid)",
  },
  { key: 'name', label: 'Name', numeric: false, value: (r) => r.p.name, text: (r) => r.p.name },
  {
    key: 'container',
    label: 'Container',
    numeric: false,
    value: (r) => r.container ?? '',
    text: (r) => r.container ?? 'host',
  },
  { key: 'cpu', label: 'CPU', numeric: true, value: (r) => r.p.cpuPercent, text: (r) => formatPercent(r.p.cpuPercent) },
  { key: 'rss', label: 'RSS', numeric: true, value: (r) => r.p.rssBytes, text: (r) => formatBytes(r.p.rssBytes) },
  { key: 'threads', label: 'Threads', numeric: true, value: (r) => r.p.threads, text: (r) => String(r.p.threads) },
  {
    key: 'user',
    label: 'User',
    numeric: false,
    value: (r) => r.p.user ?? (r.p.uid === null ? null : String(r.p.uid)),
    text: (r) => r.p.user ?? (r.p.uid === null ? MISSING : String(r.p.uid)),
  },
  {
    key: 'command',
    label: 'Command',
    numeric: false,
    value: (r) => r.p.command || r.p.name,
    text: (r) => r.p.command || r.p.name,
  },
];

/** One figure card of the dashboard's host row. */
interface Card {
  label: string;
  value: string;
  title: string;
}

const PRESSURE_CARDS = [
  ['cpu', 'CPU pressure'],
  ['memory', 'Memory pressure'],
  ['io', 'I/O pressure'],
] as const;

function pressureTitle(p: Pressure): string {
  // Two decimals, as the kernel prints them.
  const pct = (n: number): string => formatPercent(n, 2);
  const stall = p.some.totalPercent === null ? '' : `, ${pct(p.some.totalPercent)} over the last interval`;
  const full = p.full === null ? '' : `; all tasks stalled (full) ${pct(p.full.avg60)}`;
  return (
    `some tasks stalled ${pct(p.some.avg60)} of the last minute (avg10 ${pct(p.some.avg10)}, ` +
    `avg300 ${pct(p.some.avg300)}${stall})${full}`
  );
}

/** The host's PSI as cards: `some avg60` of each resource, the rest in the hover; one card when there is none. */
export function pressureCards(pressure: PressureSet | null): Card[] {
  if (pressure === null)
    return [{ label: 'Pressure', value: MISSING, title: 'no /proc/pressure on this host (kernel without PSI)' }];
  return PRESSURE_CARDS.map(([key, label]) => {
    const p = pressure[key];
    return p === null
      ? { label, value: MISSING, title: `/proc/pressure/${key} could not be read` }
      : { label, value: formatPercent(p.some.avg60), title: pressureTitle(p) };
  });
}
