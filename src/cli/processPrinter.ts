// Readable processes: the overview table and one process's detail with its sockets.
import type { ProcessInfo, Snapshot, SocketInfo } from '../core/model';
import { NAMESPACE_TYPES } from '../core/model';
import { formatBytes, formatDuration, formatPercent } from '../core/format';
import { renderFields, renderTable, section } from './table';
import { containerNames, namespaceSharing } from './names';
import { innerPid, shortId } from '../core/identity';
import { busiestFirst } from '../core/order';

/** Kernel threads have an empty command line; show them as ps does. */
function commandOf(p: ProcessInfo): string {
  return p.command !== '' ? p.command : `[${p.name}]`;
}

function containerOf(p: ProcessInfo, names: Map<string, string>): string {
  if (p.containerId === null) return '-';
  return names.get(p.containerId) ?? shortId(p.containerId);
}

export function printProcesses(s: Snapshot): string {
  if (s.processes.length === 0) return 'No processes.';
  const names = containerNames(s);
  const rows = [...s.processes]
    // Busiest first, like top: the rows a user looks for come before hundreds of idle kernel threads.
    .sort(busiestFirst)
    .map((p) => [
      String(p.pid),
      String(innerPid(p.nsPid) ?? '-'),
      containerOf(p, names),
      p.user ?? (p.uid === null ? '-' : String(p.uid)),
      p.state,
      formatPercent(p.cpuPercent),
      formatBytes(p.rssBytes),
      String(p.threads),
      p.openFds === null ? '-' : String(p.openFds),
      commandOf(p),
    ]);
  return renderTable(
    [
      { header: 'PID', align: 'right' },
      { header: 'NSPID', align: 'right' },
      { header: 'CONTAINER' },
      { header: 'USER' },
      { header: 'S' },
      { header: 'CPU%', align: 'right' },
      { header: 'RSS', align: 'right' },
      { header: 'THR', align: 'right' },
      { header: 'FDS', align: 'right' },
      { header: 'COMMAND', maxWidth: 80 },
    ],
    rows,
  );
}

function endpoint(address: string, port: number, ipv6: boolean): string {
  const host = ipv6 ? `[${address}]` : address;
  return `${host}:${port === 0 ? '*' : port}`;
}

function printSockets(sockets: SocketInfo[]): string {
  if (sockets.length === 0) return '(none)';
  return renderTable(
    [
      { header: 'PROTO' },
      { header: 'STATE' },
      { header: 'LOCAL' },
      { header: 'REMOTE' },
      { header: 'INODE', align: 'right' },
    ],
    sockets.map((k) => {
      const v6 = k.protocol.endsWith('6');
      return [
        k.protocol,
        k.state,
        endpoint(k.localAddress, k.localPort, v6),
        endpoint(k.remoteAddress, k.remotePort, v6),
        String(k.inode),
      ];
    }),
  );
}

export function printProcessDetail(s: Snapshot, p: ProcessInfo): string {
  const names = containerNames(s);
  const inner = innerPid(p.nsPid);
  const container =
    p.containerId === null
      ? '- (runs on the host)'
      : `${names.get(p.containerId) ?? '(not described by the Docker API)'} (${shortId(p.containerId)})`;
  const fields = renderFields([
    ['PID', String(p.pid)],
    [
      'NSpid',
      inner === null
        ? `${p.nsPid.join(' ')} (host PID namespace)`
        : `${p.nsPid.join(' -> ')} (PID ${inner} inside its namespace)`,
    ],
    ['PPID', String(p.ppid)],
    ['Name', p.name],
    ['Command', commandOf(p)],
    ['Executable', p.exe ?? '-'],
    ['User', p.user === null ? (p.uid === null ? '-' : String(p.uid)) : `${p.user} (${p.uid ?? '-'})`],
    ['State', p.state],
    [
      'CPU',
      `${formatPercent(p.cpuPercent)} of one CPU, ${formatDuration(p.cpuTimeSeconds)} in all${p.processor === null ? '' : `, last on CPU ${p.processor}`}`,
    ],
    ['Memory', `RSS ${formatBytes(p.rssBytes)}, virtual ${formatBytes(p.vszBytes)}`],
    ['Threads', String(p.threads)],
    ['Open fds', p.openFds === null ? '-' : String(p.openFds)],
    ['Started', p.startTime ?? '-'],
    ['Container', container],
    ['Cgroup', p.cgroupPath ?? '-'],
  ]);
  const nsRows = NAMESPACE_TYPES.flatMap((type) => {
    const inode = p.namespaces[type];
    return inode === undefined ? [] : [[type, String(inode), namespaceSharing(s, type, inode)]];
  });
  const namespaces =
    nsRows.length > 0
      ? renderTable([{ header: 'TYPE' }, { header: 'INODE', align: 'right' }, { header: 'ISOLATION' }], nsRows)
      : '(not readable)';
  return [
    fields,
    section('Namespaces', namespaces),
    section(`Sockets (${p.sockets.length})`, printSockets(p.sockets)),
  ].join('\n\n');
}
