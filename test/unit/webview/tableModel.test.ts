import { describe, expect, it } from 'vitest';
import type { Column } from '../../../src/core/panels/tableModel';
import { filterRows, filterTerms, isSortSpec, nextSort, sortRows } from '../../../src/core/panels/tableModel';
import {
  CONTAINER_COLUMNS,
  PROCESS_COLUMNS,
  containerSearchText,
  processRows,
} from '../../../src/core/panels/dashboardTables';
import { containerNamed, machineSnapshot } from './fixtures/load';

interface Row {
  name: string;
  n: number | null;
}
const COLS: Column<Row>[] = [
  { key: 'name', label: 'Name', numeric: false, value: (r) => r.name, text: (r) => r.name },
  { key: 'n', label: 'N', numeric: true, value: (r) => r.n, text: (r) => (r.n === null ? '-' : String(r.n)) },
];
const ROWS: Row[] = [
  { name: 'beta', n: 2 },
  { name: 'Alpha', n: null },
  { name: 'gamma', n: 10 },
  { name: 'alpha', n: 2 },
];

describe('sortRows', () => {
  it('sorts numbers as numbers (10 after 2), unknown last in both directions', () => {
    expect(sortRows(ROWS, COLS, { key: 'n', descending: false }).map((r) => r.n)).toEqual([2, 2, 10, null]);
    expect(sortRows(ROWS, COLS, { key: 'n', descending: true }).map((r) => r.n)).toEqual([10, 2, 2, null]);
  });

  it('is stable: equal values keep their input order', () => {
    expect(sortRows(ROWS, COLS, { key: 'n', descending: true }).map((r) => r.name)).toEqual([
      'gamma',
      'beta',
      'alpha',
      'Alpha',
    ]);
  });

  it('sorts text case-insensitively, then by case, the same on every machine', () => {
    expect(sortRows(ROWS, COLS, { key: 'name', descending: false }).map((r) => r.name)).toEqual([
      'Alpha',
      'alpha',
      'beta',
      'gamma',
    ]);
  });

  it('keeps the input order for no sort or an unknown column, and never changes its input', () => {
    const input = [...ROWS];
    expect(sortRows(ROWS, COLS, null)).toEqual(input);
    expect(sortRows(ROWS, COLS, { key: 'nope', descending: true })).toEqual(input);
    sortRows(ROWS, COLS, { key: 'n', descending: true });
    expect(ROWS).toEqual(input);
  });
});

describe('filterRows', () => {
  it('keeps rows holding every word, in any column, case-insensitively', () => {
    expect(filterRows(ROWS, COLS, 'ALPHA').map((r) => r.name)).toEqual(['Alpha', 'alpha']);
    expect(filterRows(ROWS, COLS, ' alpha  2 ').map((r) => r.name)).toEqual(['alpha']);
    expect(filterRows(ROWS, COLS, '')).toEqual(ROWS);
    expect(filterRows(ROWS, COLS, 'delta')).toEqual([]);
  });

  it('also searches the extra fields', () => {
    expect(filterRows(ROWS, COLS, 'secret', (r) => (r.name === 'beta' ? ['secret'] : []))).toEqual([ROWS[0]]);
  });

  it('splits the filter on any whitespace', () => {
    expect(filterTerms('a\tB  c\n')).toEqual(['a', 'b', 'c']);
  });
});

describe('nextSort and isSortSpec', () => {
  it('a new column sorts numbers biggest first and text A to Z; the same column flips', () => {
    expect(nextSort(null, COLS[1])).toEqual({ key: 'n', descending: true });
    expect(nextSort({ key: 'n', descending: true }, COLS[0])).toEqual({ key: 'name', descending: false });
    expect(nextSort({ key: 'name', descending: false }, COLS[0])).toEqual({ key: 'name', descending: true });
  });

  it('checks a saved sort', () => {
    expect(isSortSpec({ key: 'cpu', descending: true })).toBe(true);
    expect(isSortSpec({ key: 'cpu' })).toBe(false);
    expect(isSortSpec(null)).toBe(false);
    expect(isSortSpec('cpu')).toBe(false);
  });
});

describe('the dashboard tables on the machine snapshot', () => {
  const s = machineSnapshot();

  it('container columns have unique keys', () => {
    const keys = CONTAINER_COLUMNS.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    const pkeys = PROCESS_COLUMNS.map((c) => c.key);
    expect(new Set(pkeys).size).toBe(pkeys.length);
  });

  it('sorts containers by memory used, the stopped one (no figure) last', () => {
    const sorted = sortRows(s.containers, CONTAINER_COLUMNS, { key: 'memory', descending: true });
    const used = sorted.map((c) => c.memory.usageBytes);
    expect(used[used.length - 1]).toBeNull();
    expect(sorted[sorted.length - 1].name).toBe('dm-stopped');
    const known = used.filter((u): u is number => u !== null);
    for (let i = 1; i < known.length; i++) expect(known[i]).toBeLessThanOrEqual(known[i - 1]);
  });

  it('shows memory against the limit, and the PID limit', () => {
    const limited = containerNamed(s, 'dm-limited');
    const text = (key: string) => CONTAINER_COLUMNS.find((c) => c.key === key)!.text(limited);
    expect(text('memory')).toMatch(/ \/ 64 MiB$/);
    expect(text('pids')).toBe(`${limited.pids.current} / 50`);
    expect(text('name')).toBe('dm-limited');
    const unlimited = containerNamed(s, 'dm-unlimited');
    expect(CONTAINER_COLUMNS.find((c) => c.key === 'memory')!.text(unlimited)).toMatch(/ \/ no limit$/);
  });

  it('finds containers by compose project, full id and label, which have no column', () => {
    const byProject = filterRows(s.containers, CONTAINER_COLUMNS, 'dmtest', containerSearchText);
    expect(byProject.map((c) => c.name).sort()).toEqual(
      s.containers
        .filter((c) => c.compose?.project === 'dmtest')
        .map((c) => c.name)
        .sort(),
    );
    expect(byProject.length).toBeGreaterThan(0);
    const multi = containerNamed(s, 'dm-multi');
    expect(filterRows(s.containers, CONTAINER_COLUMNS, multi.id, containerSearchText)).toEqual([multi]);
    expect(filterRows(s.containers, CONTAINER_COLUMNS, multi.id)).toEqual([]);
  });

  it('labels processes with their container name, and host processes as host', () => {
    const rows = processRows(s.processes, s.containers);
    const yes = rows.find((r) => r.p.name === 'yes')!;
    expect(yes.container).toBe('dm-limited');
    const col = (key: string) => PROCESS_COLUMNS.find((c) => c.key === key)!;
    expect(col('innerPid').text(yes)).toBe(String(yes.p.nsPid[yes.p.nsPid.length - 1]));
    const init = rows.find((r) => r.p.pid === 1)!;
    expect(init.container).toBeNull();
    expect(col('container').text(init)).toBe('host');
    expect(col('innerPid').value(init)).toBeNull();
    expect(filterRows(rows, PROCESS_COLUMNS, 'dm-limited').every((r) => r.container === 'dm-limited')).toBe(true);
  });
});
