// Property tests (fast-check, seeded) for every cgroup v1 and v2 file parseCgroupMetrics reads. Each file is
// generated well-formed (as the kernel prints it), garbage, or absent; the generator keeps the value it put in
// (null for garbage or absent), and the expected figures are computed from those values alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCgroupMetrics } from '../../../src/core/parse/cgroupMetrics';
import type { CgroupMetrics } from '../../../src/core/parse/cgroupMetrics';

const SEED = 20240904;
const RUNS = 1000;

type Gen<T> = fc.Arbitrary<{ text: string | undefined; value: T | null }>;

const count = fc.oneof(fc.nat(99999), fc.maxSafeNat(), fc.constantFrom(2 ** 63, 2 ** 62, 2 ** 64));
/** What no single-number file holds: nothing a strict parse may take for a figure. */
const GARBAGE = [
  '',
  '\n',
  'max\n',
  '-5\n',
  '12abc\n',
  '1e3\n',
  '0x10\n',
  'NaN\n',
  'Infinity\n',
  ' \n',
  '１２\n',
  '-0\n',
  '9'.repeat(21),
];
const garbageText = fc.oneof(
  fc.constantFrom(...GARBAGE),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/^[\s\d]*$/.test(s) && s.trim() !== 'max'),
);

/** Well-formed, garbage or absent, with the value the well-formed text holds. */
function file<T>(
  wellFormed: fc.Arbitrary<{ text: string; value: T | null }>,
  garbage: fc.Arbitrary<string> = garbageText,
): Gen<T> {
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed },
    { weight: 1, arbitrary: garbage.map((text) => ({ text, value: null })) },
    { weight: 1, arbitrary: fc.constant({ text: undefined, value: null }) },
  );
}

const number = file(count.map((n) => ({ text: `${n}\n`, value: n })));
/** A number or "max" (no limit, null). */
const limit = file(
  fc.oneof(
    count.map((n) => ({ text: `${n}\n`, value: n as number | null })),
    fc.constant({ text: 'max\n', value: null }),
  ),
);

/** `key value` lines; each key once, a negative or garbage value gives null for that key. */
function keyValues(keys: string[], others: string[] = []): Gen<Record<string, number | null>> {
  const value = fc.oneof(
    { weight: 5, arbitrary: count.map((n) => ({ text: String(n), value: n as number | null })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('-1', '-4096', 'x', '', '1.5', '12a').map((text) => ({ text, value: null })),
    },
  );
  const all = [...keys, ...others];
  return file(
    fc
      .tuple(fc.shuffledSubarray(all), fc.array(value, { minLength: all.length, maxLength: all.length }))
      .map(([present, values]) => {
        const out: Record<string, number | null> = {};
        const lines = present.map((k, i) => {
          if (keys.includes(k)) out[k] = values[i].value;
          return `${k} ${values[i].text}`;
        });
        return { text: lines.map((l) => `${l}\n`).join(''), value: out };
      }),
  );
}
const kv = (f: { value: Record<string, number | null> | null }, key: string): number | null => f.value?.[key] ?? null;

const cpuset = file(
  fc.array(fc.tuple(fc.nat(255), fc.option(fc.nat(255))), { minLength: 1, maxLength: 4 }).map((ranges) => {
    const text = ranges.map(([a, b]) => (b === null ? `${a}` : `${a}-${a + b}`)).join(',');
    return { text: `${text}\n`, value: text };
  }),
);

const device = fc.tuple(fc.nat(259), fc.nat(255)).map(([a, b]) => `${a}:${b}`);
/** v1 blkio: per device Read Write Sync Async Discard Total, then Total; value: [read, write, devices]. */
const blkio = file(
  fc.array(fc.tuple(device, count, count), { maxLength: 3 }).map((devs) => {
    const lines = devs.flatMap(([d, r, w]) => [
      `${d} Read ${r}`,
      `${d} Write ${w}`,
      `${d} Sync 0`,
      `${d} Async ${r}`,
      `${d} Discard 0`,
      `${d} Total ${r + w}`,
    ]);
    lines.push(`Total ${devs.reduce((s, [, r, w]) => s + r + w, 0)}`);
    return {
      text: lines.map((l) => `${l}\n`).join(''),
      value: [devs.reduce((s, d) => s + d[1], 0), devs.reduce((s, d) => s + d[2], 0), devs.length] as number[],
    };
  }),
  fc.constantFrom('8:0 Read x\n', '8:0 Read -5\n', 'garbage\n', '8:0 Read 5\nTotal\n', 'Read 5\n', '8:0 Read 12abc\n'),
);
const ioStat = file(
  fc.array(fc.tuple(device, count, count), { maxLength: 3 }).map((devs) => ({
    text: devs.map(([d, r, w]) => `${d} rbytes=${r} wbytes=${w} rios=1 wios=2 dbytes=0 dios=0\n`).join(''),
    value: [devs.reduce((s, d) => s + d[1], 0), devs.reduce((s, d) => s + d[2], 0)],
  })),
  fc.constantFrom(
    '8:0 rbytes=x wbytes=1\n',
    '8:0 rbytes=-1 wbytes=2\n',
    'garbage\n',
    'rbytes=5\n',
    '8:0 rbytes=1 wbytes=1e3\n',
  ),
);

const v1Files = fc.record({
  usage: number,
  limit: file(
    fc.oneof(
      count.map((n) => ({ text: `${n}\n`, value: n })),
      fc.constant({ text: '9223372036854771712\n', value: 9223372036854771712 }),
    ),
  ),
  stat: keyValues(
    ['total_inactive_file', 'inactive_file', 'total_cache', 'cache', 'total_rss', 'rss'],
    ['mapped_file', 'hierarchical_memory_limit'],
  ),
  failcnt: number,
  oom: keyValues(['oom_kill'], ['oom_kill_disable', 'under_oom']),
  memsw: number,
  cpuacct: number,
  percpu: file(fc.array(count, { minLength: 1, maxLength: 8 }).map((v) => ({ text: `${v.join(' ')} \n`, value: v }))),
  quota: file(
    fc.oneof(
      fc.integer({ min: 1, max: 2 ** 40 }).map((n) => ({ text: `${n}\n`, value: n as number | null })),
      fc.constant({ text: '-1\n', value: null }),
    ),
  ),
  period: number,
  shares: number,
  cpuStat: keyValues(['nr_periods', 'nr_throttled', 'throttled_time']),
  cpuset,
  pids: number,
  pidsMax: limit,
  throttle: blkio,
  recursive: blkio,
});

const v2Files = fc.record({
  current: file(count.map((n) => ({ text: `${n}\n`, value: n }))).filter((f) => f.text !== undefined),
  max: limit,
  stat: keyValues(['inactive_file', 'file', 'anon'], ['shmem', 'pgfault']),
  events: keyValues(['max', 'oom_kill'], ['low', 'high', 'oom', 'oom_group_kill']),
  swap: number,
  cpuStat: keyValues(
    ['usage_usec', 'nr_periods', 'nr_throttled', 'throttled_usec'],
    ['user_usec', 'system_usec', 'nr_bursts'],
  ),
  cpuMax: file(
    fc
      .tuple(fc.option(fc.integer({ min: 1000, max: 2 ** 40 })), fc.integer({ min: 1000, max: 1_000_000 }))
      .map(([q, p]) => ({
        text: `${q ?? 'max'} ${p}\n`,
        value: [q, p] as [number | null, number],
      })),
  ),
  weight: number,
  cpuset,
  pids: number,
  pidsMax: limit,
  io: ioStat,
});

const filesOf = (entries: Array<[string, { text: string | undefined }]>): Map<string, string> =>
  new Map(entries.filter(([, f]) => f.text !== undefined).map(([n, f]) => [n, f.text!]));

function allNull(m: Omit<CgroupMetrics, 'version'>): boolean {
  return [m.memory, m.cpu, m.pids, m.blockIo].every((g) => Object.values(g).every((v) => v === null));
}

/** Every figure null or a finite whole number, non-negative (the list of per-CPU figures likewise). */
function checkFigures(m: CgroupMetrics): void {
  for (const group of [m.memory, m.cpu, m.pids, m.blockIo] as Array<Record<string, unknown>>) {
    for (const [k, v] of Object.entries(group)) {
      if (v === null || k === 'cpuset') continue;
      for (const n of Array.isArray(v) ? v : [v])
        expect(Number.isFinite(n) && Number.isInteger(n) && n >= 0, `${k}=${String(n)}`).toBe(true);
    }
  }
}

describe('cgroup v1 files (fuzz)', () => {
  it('every figure is the generated value, null where its file is garbage or absent', () => {
    fc.assert(
      fc.property(v1Files, (f) => {
        const files = filesOf([
          ['memory.usage_in_bytes', f.usage],
          ['memory.limit_in_bytes', f.limit],
          ['memory.stat', f.stat],
          ['memory.failcnt', f.failcnt],
          ['memory.oom_control', f.oom],
          ['memory.memsw.usage_in_bytes', f.memsw],
          ['cpuacct.usage', f.cpuacct],
          ['cpuacct.usage_percpu', f.percpu],
          ['cpu.cfs_quota_us', f.quota],
          ['cpu.cfs_period_us', f.period],
          ['cpu.shares', f.shares],
          ['cpu.stat', f.cpuStat],
          ['cpuset.cpus', f.cpuset],
          ['pids.current', f.pids],
          ['pids.max', f.pidsMax],
          ['blkio.throttle.io_service_bytes', f.throttle],
          ['blkio.io_service_bytes_recursive', f.recursive],
        ]);
        const raw = f.usage.value;
        const inactive = kv(f.stat, 'total_inactive_file') ?? kv(f.stat, 'inactive_file');
        const blk =
          [f.throttle.value, f.recursive.value].find((b) => b !== null && b[2] > 0) ??
          f.throttle.value ??
          f.recursive.value;
        const want = {
          memory: {
            usageBytes: raw === null ? null : Math.max(0, raw - (inactive ?? 0)),
            rawUsageBytes: raw,
            limitBytes: f.limit.value !== null && f.limit.value < 2 ** 62 ? f.limit.value : null,
            cacheBytes: kv(f.stat, 'total_cache') ?? kv(f.stat, 'cache'),
            rssBytes: kv(f.stat, 'total_rss') ?? kv(f.stat, 'rss'),
            swapBytes: f.memsw.value !== null && raw !== null ? Math.max(0, f.memsw.value - raw) : null,
            oomKills: kv(f.oom, 'oom_kill'),
            failCount: f.failcnt.value,
          },
          cpu: {
            usageNs: f.cpuacct.value,
            quotaUs: f.quota.value,
            periodUs: f.period.value,
            shares: f.shares.value,
            weight: null,
            cpuset: f.cpuset.value,
            periods: kv(f.cpuStat, 'nr_periods'),
            throttledPeriods: kv(f.cpuStat, 'nr_throttled'),
            throttledNs: kv(f.cpuStat, 'throttled_time'),
            perCpuNs: f.percpu.value,
          },
          pids: { current: f.pids.value, limit: f.pidsMax.value },
          blockIo: { readBytes: blk?.[0] ?? null, writeBytes: blk?.[1] ?? null },
        };
        const got = parseCgroupMetrics(files);
        if (allNull(want)) expect(got).toBeNull();
        else {
          expect(got).toEqual({ version: 1, ...want });
          checkFigures(got!);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('cgroup v2 files (fuzz)', () => {
  it('every figure is the generated value, null where its file is garbage or absent', () => {
    fc.assert(
      fc.property(v2Files, (f) => {
        const files = filesOf([
          ['memory.current', f.current],
          ['memory.max', f.max],
          ['memory.stat', f.stat],
          ['memory.events', f.events],
          ['memory.swap.current', f.swap],
          ['cpu.stat', f.cpuStat],
          ['cpu.max', f.cpuMax],
          ['cpu.weight', f.weight],
          ['cpuset.cpus.effective', f.cpuset],
          ['pids.current', f.pids],
          ['pids.max', f.pidsMax],
          ['io.stat', f.io],
        ]);
        const raw = f.current.value;
        const usage = kv(f.cpuStat, 'usage_usec');
        const throttled = kv(f.cpuStat, 'throttled_usec');
        const want = {
          memory: {
            usageBytes: raw === null ? null : Math.max(0, raw - (kv(f.stat, 'inactive_file') ?? 0)),
            rawUsageBytes: raw,
            limitBytes: f.max.value,
            cacheBytes: kv(f.stat, 'file'),
            rssBytes: kv(f.stat, 'anon'),
            swapBytes: f.swap.value,
            oomKills: kv(f.events, 'oom_kill'),
            failCount: kv(f.events, 'max'),
          },
          cpu: {
            usageNs: usage === null ? null : usage * 1000,
            quotaUs: f.cpuMax.value?.[0] ?? null,
            periodUs: f.cpuMax.value?.[1] ?? null,
            shares: null,
            weight: f.weight.value,
            cpuset: f.cpuset.value,
            periods: kv(f.cpuStat, 'nr_periods'),
            throttledPeriods: kv(f.cpuStat, 'nr_throttled'),
            throttledNs: throttled === null ? null : throttled * 1000,
            perCpuNs: null,
          },
          pids: { current: f.pids.value, limit: f.pidsMax.value },
          blockIo: { readBytes: f.io.value?.[0] ?? null, writeBytes: f.io.value?.[1] ?? null },
        };
        const got = parseCgroupMetrics(files);
        if (allNull(want)) expect(got).toBeNull();
        else {
          expect(got).toEqual({ version: 2, ...want });
          checkFigures(got!);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('any cgroup file set (fuzz)', () => {
  it('arbitrary contents under any of the names: no throw, only whole non-negative figures', () => {
    const names = [
      'memory.usage_in_bytes',
      'memory.limit_in_bytes',
      'memory.stat',
      'memory.oom_control',
      'cpuacct.usage',
      'cpuacct.usage_percpu',
      'cpu.cfs_quota_us',
      'cpu.stat',
      'cpuset.cpus',
      'pids.max',
      'blkio.throttle.io_service_bytes',
      'memory.current',
      'memory.max',
      'memory.events',
      'cpu.max',
      'io.stat',
      'cpuset.cpus.effective',
    ];
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            ' ',
            '\n',
            '\t',
            'max',
            '-1',
            '8:0',
            'rbytes=',
            'Read',
            'usage_usec',
            'rss',
            '1',
            '99999999999999999999',
            '-',
          ),
          fc.string({ unit: 'binary', maxLength: 3 }),
        ),
        { maxLength: 30 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), text), (d) => {
        const got = parseCgroupMetrics(new Map(Object.entries(d)));
        if (got !== null) checkFigures(got);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
