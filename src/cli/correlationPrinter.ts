// Readable correlation: the six aspects by level, then the identifiers that tie the levels together.
import type { Correlation } from '../core/model';
import { NAMESPACE_TYPES } from '../core/model';
import { renderFields, renderTable, section } from './table';

function orDash(value: string | number | null): string {
  return value === null || value === '' ? '-' : String(value);
}

const ASPECT_WIDTH = 'Runtime context'.length;
const MIN_CELL_WIDTH = 16;

/** `width` is the terminal's: the three level columns share what the aspect column and gaps leave. */
export function printCorrelation(c: Correlation, width = 120): string {
  const cellWidth = Math.max(MIN_CELL_WIDTH, Math.floor((width - ASPECT_WIDTH - 3 * 2) / 3));
  const table = renderTable(
    [
      { header: 'ASPECT' },
      { header: 'PROCESS', wrapWidth: cellWidth },
      { header: 'CONTAINER', wrapWidth: cellWidth },
      { header: 'HOST', wrapWidth: cellWidth },
    ],
    // A blank line between aspects keeps wrapped rows apart.
    c.rows.flatMap((r, i) => [...(i > 0 ? [['', '', '', '']] : []), [r.aspect, r.process, r.container, r.host]]),
  );
  const veth =
    c.containerInterface || c.hostVeth
      ? `${orDash(c.containerInterface)} (in the container) <-> ${orDash(c.hostVeth)} (on the host)${c.bridge ? ` on ${c.bridge}` : ''}`
      : '-';
  const details = renderFields([
    ['Container', `${c.container.name} (${c.container.id})`],
    [
      'Main process',
      c.hostPid === null ? '- (not running)' : `host PID ${c.hostPid} = PID ${orDash(c.containerPid)} in the container`,
    ],
    ['Interface pair', veth],
    ['Cgroup', orDash(c.cgroupPath)],
    ['Merged dir', orDash(c.mergedDir)],
    ['Upper dir', orDash(c.upperDir)],
    ['Container dir', orDash(c.containerDir)],
  ]);
  const nsRows = NAMESPACE_TYPES.flatMap((type) => {
    const ref = c.namespaces[type];
    return ref ? [[type, String(ref.inode), ref.sharedWithHost ? 'shared with host' : 'private']] : [];
  });
  const namespaces =
    nsRows.length > 0
      ? renderTable([{ header: 'TYPE' }, { header: 'INODE', align: 'right' }, { header: 'ISOLATION' }], nsRows)
      : '(not read)';
  const processes =
    c.processes.length > 0
      ? renderTable(
          [{ header: 'HOST PID', align: 'right' }, { header: 'CONTAINER PID', align: 'right' }, { header: 'NAME' }],
          c.processes.map((p) => [String(p.hostPid), orDash(p.containerPid), p.name]),
        )
      : '(none)';
  return [table, section('Details', details), section('Namespaces', namespaces), section('Processes', processes)].join(
    '\n\n',
  );
}
