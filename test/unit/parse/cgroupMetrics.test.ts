import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CGROUP_METRIC_FILES,
  parseCgroupMetrics,
  parseKeyValueLines,
  pickKeyValues,
} from '../../../src/core/parse/cgroupMetrics';

const fixtureDir = (dir: string): URL => new URL(`../fixtures/${dir}/`, import.meta.url);

/** A cgroup's files as the collector hands them over: basename -> content. */
function cgroupFiles(dir: string): Map<string, string> {
  return new Map(
    readdirSync(fixtureDir(dir)).map((name) => [name, readFileSync(new URL(name, fixtureDir(dir)), 'utf8')]),
  );
}

const withFiles = (dir: string, extra: Record<string, string | null>): Map<string, string> => {
  const files = cgroupFiles(dir);
  for (const [name, content] of Object.entries(extra)) {
    if (content === null) files.delete(name);
    else files.set(name, content);
  }
  return files;
};

describe('CGROUP_METRIC_FILES', () => {
  it('lists every v1 and v2 file the formulas need, once, and not cgroup.procs', () => {
    const needed = [
      'memory.usage_in_bytes',
      'memory.limit_in_bytes',
      'memory.stat',
      'memory.failcnt',
      'memory.oom_control',
      'memory.memsw.usage_in_bytes',
      'cpuacct.usage',
      'cpuacct.usage_percpu',
      'cpu.cfs_quota_us',
      'cpu.cfs_period_us',
      'cpu.shares',
      'cpu.stat',
      'cpuset.cpus',
      'pids.current',
      'pids.max',
      'blkio.throttle.io_service_bytes',
      'blkio.io_service_bytes_recursive',
      'memory.current',
      'memory.max',
      'memory.events',
      'memory.swap.current',
      'cpu.max',
      'cpu.weight',
      'cpuset.cpus.effective',
      'io.stat',
    ];
    expect([...CGROUP_METRIC_FILES].sort()).toEqual([...new Set(needed)].sort());
    expect(CGROUP_METRIC_FILES).not.toContain('cgroup.procs');
  });

  it('covers every file copied into the fixtures except the recursive throttle variant', () => {
    const dirs = ['dm-limited', 'dm-unlimited', 'dm-multi', 'page-cache', 'oom-killed', 'throttled'].map(
      (d) => `cgroup-v1/${d}`,
    );
    const copied = new Set(
      [...dirs, 'cgroup-v2/limited', 'cgroup-v2/unlimited'].flatMap((d) => [...cgroupFiles(d).keys()]),
    );
    copied.delete('blkio.throttle.io_service_bytes_recursive');
    for (const f of copied) expect(CGROUP_METRIC_FILES, f).toContain(f);
  });
});

describe('parseCgroupMetrics, cgroup v1 (real files of this host)', () => {
  it('dm-limited: --memory 64m --cpus 0.5 --pids-limit 50 as docker inspect reports them', () => {
    expect(parseCgroupMetrics(cgroupFiles('cgroup-v1/dm-limited'))).toEqual({
      version: 1,
      memory: {
        usageBytes: 319488,
        rawUsageBytes: 319488,
        limitBytes: 67108864,
        cacheBytes: 0,
        rssBytes: 49152,
        swapBytes: 0,
        oomKills: 0,
        failCount: 0,
      },
      cpu: {
        usageNs: 26186871,
        quotaUs: 50000,
        periodUs: 100000,
        shares: 1024,
        weight: null,
        cpuset: '0-1',
        periods: 3,
        throttledPeriods: 0,
        throttledNs: 0,
        perCpuNs: [22838627, 3348244],
      },
      pids: { current: 1, limit: 50 },
      blockIo: { readBytes: 0, writeBytes: 0 },
    });
  });

  it('dm-unlimited: the near-2^63 memory limit, quota -1 and pids "max" all mean no limit', () => {
    const m = parseCgroupMetrics(cgroupFiles('cgroup-v1/dm-unlimited'));
    expect(m?.memory.limitBytes).toBeNull();
    expect(m?.cpu.quotaUs).toBeNull();
    expect(m?.cpu.periodUs).toBe(100000);
    expect(m?.pids.limit).toBeNull();
    expect(m?.memory.rawUsageBytes).toBe(811008);
  });

  it('subtracts total_inactive_file: 20 MiB written by dd into the page cache (real)', () => {
    const m = parseCgroupMetrics(cgroupFiles('cgroup-v1/page-cache'));
    expect(m?.memory).toMatchObject({
      rawUsageBytes: 21889024,
      usageBytes: 21889024 - 20 * 1024 * 1024,
      cacheBytes: 20979712,
      limitBytes: 96 * 1024 * 1024,
    });
  });

  it('counts the OOM kill of a real container run with --memory 16m', () => {
    expect(parseCgroupMetrics(cgroupFiles('cgroup-v1/oom-killed'))?.memory).toMatchObject({
      oomKills: 1,
      limitBytes: 16 * 1024 * 1024,
    });
  });

  it('reads throttling of a real container run with --cpus 0.2 --cpuset-cpus 1 spinning on `yes`', () => {
    expect(parseCgroupMetrics(cgroupFiles('cgroup-v1/throttled'))?.cpu).toEqual({
      usageNs: 638429753,
      quotaUs: 20000,
      periodUs: 100000,
      shares: 1024,
      weight: null,
      cpuset: '1',
      periods: 32,
      throttledPeriods: 30,
      throttledNs: 2332235856,
      perCpuNs: [0, 638429753],
    });
  });

  it('keeps the kernel invariant: cpuacct.usage is the sum of cpuacct.usage_percpu', () => {
    for (const d of ['dm-limited', 'dm-unlimited', 'dm-multi', 'page-cache', 'oom-killed', 'throttled']) {
      const cpu = parseCgroupMetrics(cgroupFiles(`cgroup-v1/${d}`))?.cpu;
      expect(
        cpu?.perCpuNs?.reduce((a, b) => a + b, 0),
        d,
      ).toBe(cpu?.usageNs);
    }
  });

  it('derives swap from memsw.usage - usage', () => {
    const m = parseCgroupMetrics(withFiles('cgroup-v1/dm-limited', { 'memory.memsw.usage_in_bytes': '1368064\n' }));
    expect(m?.memory.swapBytes).toBe(1368064 - 319488);
    expect(
      parseCgroupMetrics(withFiles('cgroup-v1/dm-limited', { 'memory.memsw.usage_in_bytes': null }))?.memory.swapBytes,
    ).toBeNull();
  });

  it('sums blkio Read and Write over devices, skipping Total lines (documented format, two devices)', () => {
    const io = readFileSync(
      new URL('blkio-two-devices/blkio.throttle.io_service_bytes', fixtureDir('cgroup-v1')),
      'utf8',
    );
    const m = parseCgroupMetrics(withFiles('cgroup-v1/dm-limited', { 'blkio.throttle.io_service_bytes': io }));
    expect(m?.blockIo).toEqual({ readBytes: 1048576 + 4096, writeBytes: 524288 + 8192 });
  });

  it('falls back on blkio.io_service_bytes_recursive when the throttle file has no device line', () => {
    const files = withFiles('cgroup-v1/dm-limited', {
      'blkio.io_service_bytes_recursive': '8:0 Read 100\n8:0 Write 200\n8:0 Total 300\nTotal 300\n',
    });
    expect(parseCgroupMetrics(files)?.blockIo).toEqual({ readBytes: 100, writeBytes: 200 });
    expect(
      parseCgroupMetrics(withFiles('cgroup-v1/dm-limited', { 'blkio.throttle.io_service_bytes': null }))?.blockIo,
    ).toEqual({ readBytes: null, writeBytes: null });
  });

  it("stays v1 on this hybrid host when the unified tree's cpu.stat (usage_usec) sits among v1 files", () => {
    const unified = readFileSync(new URL('hybrid-unified-cpu.stat', fixtureDir('cgroup-v1')), 'utf8');
    const m = parseCgroupMetrics(withFiles('cgroup-v1/dm-multi', { 'cpu.stat': unified }));
    expect(m?.version).toBe(1);
    expect(m?.cpu.usageNs).toBe(315875627941);
    expect(m?.memory.limitBytes).toBe(128 * 1024 * 1024);
  });
});

describe('parseCgroupMetrics, cgroup v2 (kernel documented formats)', () => {
  it('a limited container', () => {
    expect(parseCgroupMetrics(cgroupFiles('cgroup-v2/limited'))).toEqual({
      version: 2,
      memory: {
        usageBytes: 54525952 - 33554432,
        rawUsageBytes: 54525952,
        limitBytes: 67108864,
        cacheBytes: 41943040,
        rssBytes: 10485760,
        swapBytes: 1048576,
        oomKills: 1,
        failCount: 12,
      },
      cpu: {
        usageNs: 1234567 * 1000,
        quotaUs: 50000,
        periodUs: 100000,
        shares: null,
        weight: 100,
        cpuset: '0-3',
        periods: 500,
        throttledPeriods: 40,
        throttledNs: 2500000 * 1000,
        perCpuNs: null,
      },
      pids: { current: 7, limit: 50 },
      blockIo: { readBytes: 1048576 + 2097152, writeBytes: 4096 + 8192 },
    });
  });

  it('an unlimited container: "max" everywhere, no swap accounting file, empty io.stat', () => {
    const m = parseCgroupMetrics(cgroupFiles('cgroup-v2/unlimited'));
    expect(m?.version).toBe(2);
    expect(m?.memory).toMatchObject({ limitBytes: null, swapBytes: null, usageBytes: 6115328 - 1048576, oomKills: 0 });
    expect(m?.cpu).toMatchObject({ quotaUs: null, periodUs: 100000, weight: 100 });
    expect(m?.pids.limit).toBeNull();
    expect(m?.blockIo).toEqual({ readBytes: 0, writeBytes: 0 });
  });

  it('a cgroup without the cpu controller: cpu.stat has only usage, user and system', () => {
    const m = parseCgroupMetrics(cgroupFiles('cgroup-v2/no-cpu-controller'));
    expect(m?.cpu).toMatchObject({
      usageNs: 374898872 * 1000,
      periods: null,
      throttledPeriods: null,
      throttledNs: null,
      quotaUs: null,
    });
  });

  it("is v2 from a cpu.stat with usage_usec alone (this host's real unified cpu.stat)", () => {
    const unified = readFileSync(new URL('hybrid-unified-cpu.stat', fixtureDir('cgroup-v1')), 'utf8');
    const m = parseCgroupMetrics(new Map([['cpu.stat', unified]]));
    expect(m?.version).toBe(2);
    expect(m?.cpu.usageNs).toBe(382864952 * 1000);
  });

  it('clamps usage at 0 when inactive_file exceeds the raw usage', () => {
    const m = parseCgroupMetrics(
      new Map([
        ['memory.current', '1000\n'],
        ['memory.stat', 'inactive_file 4096\n'],
      ]),
    );
    expect(m?.memory.usageBytes).toBe(0);
  });

  it('never takes a cut io.stat field for a number', () => {
    const m = parseCgroupMetrics(
      withFiles('cgroup-v2/limited', { 'io.stat': '8:0 rbytes=10 wbytes=20 rios=1\n8:16 rbytes=5 wbyt' }),
    );
    expect(m?.blockIo).toEqual({ readBytes: 15, writeBytes: 20 });
  });
});

describe('parseCgroupMetrics on bad input', () => {
  it.each([
    ['no files', new Map<string, string>()],
    [
      'empty files',
      new Map([
        ['memory.current', ''],
        ['cpu.stat', ''],
        ['memory.usage_in_bytes', ''],
      ]),
    ],
    [
      'garbage',
      new Map([
        ['memory.usage_in_bytes', 'abc'],
        ['cpuacct.usage', '-5'],
        ['pids.max', 'maxx'],
        ['cpu.stat', '\0\0'],
      ]),
    ],
    [
      'unrelated files',
      new Map([
        ['cgroup.procs', '1\n2\n'],
        ['notify_on_release', '0\n'],
      ]),
    ],
  ])('returns null for %s', (_label, files) => {
    expect(parseCgroupMetrics(files)).toBeNull();
  });

  it('gives partial figures for truncated files and never throws', () => {
    const full = cgroupFiles('cgroup-v1/throttled');
    for (const [name, content] of full) {
      for (let n = 0; n <= content.length; n++) {
        expect(() =>
          parseCgroupMetrics(withFiles('cgroup-v1/throttled', { [name]: content.slice(0, n) })),
        ).not.toThrow();
      }
    }
    const m = parseCgroupMetrics(
      withFiles('cgroup-v1/throttled', { 'cpuacct.usage_percpu': '0 6384x', 'cpuset.cpus': '1-' }),
    );
    expect(m?.cpu.perCpuNs).toBeNull();
    expect(m?.cpu.cpuset).toBeNull();
    expect(m?.cpu.usageNs).toBe(638429753);
  });
});

describe('parseKeyValueLines', () => {
  it('reads a real memory.stat and cpu.stat', () => {
    const stat = parseKeyValueLines(readFileSync(new URL('page-cache/memory.stat', fixtureDir('cgroup-v1')), 'utf8'));
    expect(stat.total_inactive_file).toBe(20971520);
    expect(stat.hierarchical_memory_limit).toBe(100663296);
    expect(parseKeyValueLines('nr_periods 32\nnr_throttled 30\nthrottled_time 2332235856\n')).toEqual({
      nr_periods: 32,
      nr_throttled: 30,
      throttled_time: 2332235856,
    });
  });

  it('skips malformed lines and stores hostile keys as plain data', () => {
    const r = parseKeyValueLines('__proto__ 1\nconstructor 2\nbad\nx 1 2\ny 1e3\nz -3\n');
    expect(Object.keys(r).sort()).toEqual(['__proto__', 'constructor', 'z']);
    expect(r.z).toBe(-3);
    expect(parseKeyValueLines('')).toEqual({});
  });
});

describe('pickKeyValues', () => {
  it('finds what parseKeyValueLines finds for the keys asked, on any lines (fast-check)', async () => {
    const fc = await import('fast-check');
    const keys = ['cache', 'total_cache', 'inactive_file', 'rss', 'file'];
    const word = fc.oneof(
      fc.constantFrom(...keys, 'cache_x', 'xcache', 'total_rss', ''),
      fc.stringMatching(/^[a-z_.]{0,8}$/),
    );
    const value = fc.oneof(
      fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }).map(String),
      fc.constantFrom('', 'max', '12a', ' 7'),
    );
    const line = fc
      .tuple(word, fc.constantFrom(' ', '  ', '\t', ''), value, fc.constantFrom('', ' ', '\r'))
      .map(([k, sep, v, tail]) => `${k}${sep}${v}${tail}`);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (lines, finalNewline) => {
        const text = lines.join('\n') + (finalNewline ? '\n' : '');
        const all = parseKeyValueLines(text);
        const picked = pickKeyValues(text, keys);
        const expected = Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
        expect({ ...picked }).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
