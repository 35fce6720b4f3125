import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  hostMemoryFromMeminfo,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseOsRelease,
  parsePasswd,
  parseProcStatCpu,
  parseUptime,
} from '../../../src/core/parse/host';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const HOSTILE = [
  '',
  '\n\n',
  '\0',
  'cpu',
  'garbage line\nmore: garbage',
  '1e3 2e3 3e3',
  'NaN NaN NaN',
  'x'.repeat(50_000),
  '__proto__: 5 kB',
];

describe('parseProcStatCpu', () => {
  it('reads the cpu lines and btime of a real /proc/stat', () => {
    expect(parseProcStatCpu(fixture('proc/stat'))).toEqual({
      total: { user: 32749, nice: 0, system: 3422, idle: 66209, iowait: 387, irq: 0, softirq: 80, steal: 11 },
      perCpu: [
        { user: 5978, nice: 0, system: 1326, idle: 44007, iowait: 46, irq: 0, softirq: 12, steal: 3 },
        { user: 26770, nice: 0, system: 2096, idle: 22202, iowait: 340, irq: 0, softirq: 67, steal: 7 },
      ],
      bootTime: 1795612691,
    });
  });

  it('skips a cpuN line cut short (fewer than the 8 counters every supported kernel prints)', () => {
    const text = 'cpu  10 1 5 100 2 0 3 0 0 0\ncpu0 10 1 5 100 2 0 3 0 0 0\ncpu1 3 4 5\nbtime 1700000000\n';
    expect(parseProcStatCpu(text)).toEqual({
      total: { user: 10, nice: 1, system: 5, idle: 100, iowait: 2, irq: 0, softirq: 3, steal: 0 },
      perCpu: [{ user: 10, nice: 1, system: 5, idle: 100, iowait: 2, irq: 0, softirq: 3, steal: 0 }],
      bootTime: 1700000000,
    });
  });

  it('returns null without a whole cpu line, and never throws on a truncated file', () => {
    const full = fixture('proc/stat');
    expect(parseProcStatCpu(full.slice(0, full.indexOf('\n') - 20))).toBeNull();
    for (let n = 0; n <= full.length; n += 3) expect(() => parseProcStatCpu(full.slice(0, n))).not.toThrow();
    expect(parseProcStatCpu('cpu  1 2 x 4 5 6 7 8 9 10\n')).toBeNull();
    expect(parseProcStatCpu('cpu  10 1 5 100\n')).toBeNull();
  });

  it.each(HOSTILE)('returns null for garbage %#', (text) => {
    expect(parseProcStatCpu(text)).toBeNull();
  });
});

describe('parseMeminfo / hostMemoryFromMeminfo', () => {
  it('converts kB to bytes and keeps unitless counts', () => {
    const m = parseMeminfo(fixture('proc/meminfo'));
    expect(m.MemTotal).toBe(24684084 * 1024);
    expect(m['Active(anon)']).toBeGreaterThan(0);
    expect(m.HugePages_Total).toBe(0);
    expect(m.Hugepagesize).toBe(2048 * 1024);
    expect(Object.keys(m)).toHaveLength(fixture('proc/meminfo').trim().split('\n').length);
  });

  it('agrees with `free -b` (procps-ng 4.0.2) run between two identical reads of /proc/meminfo', () => {
    const mem = hostMemoryFromMeminfo(parseMeminfo(fixture('proc/meminfo')));
    const free = fixture('proc/meminfo.free-b').split('\n');
    const [total, used, freeBytes, , , available] = free[1].trim().split(/\s+/).slice(1).map(Number);
    const [swapTotal, swapUsed, swapFree] = free[2].trim().split(/\s+/).slice(1).map(Number);
    expect(mem.totalBytes).toBe(total);
    expect(mem.usedBytes).toBe(used);
    expect(mem.freeBytes).toBe(freeBytes);
    expect(mem.availableBytes).toBe(available);
    expect(mem.swapTotalBytes).toBe(swapTotal);
    expect(mem.swapUsedBytes).toBe(swapUsed);
    expect(mem.swapFreeBytes).toBe(swapFree);
    expect(mem.buffersBytes).toBe(2396 * 1024);
    expect(mem.cachedBytes).toBe(352572 * 1024);
  });

  it('estimates available as free + buffers + cached without MemAvailable (kernels before 3.14)', () => {
    const text =
      'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\nSwapTotal: 50 kB\nSwapFree: 10 kB\n';
    expect(hostMemoryFromMeminfo(parseMeminfo(text))).toEqual({
      totalBytes: 1000 * 1024,
      availableBytes: 420 * 1024,
      usedBytes: 580 * 1024,
      freeBytes: 100 * 1024,
      buffersBytes: 20 * 1024,
      cachedBytes: 300 * 1024,
      swapTotalBytes: 50 * 1024,
      swapFreeBytes: 10 * 1024,
      swapUsedBytes: 40 * 1024,
    });
  });

  it('stores hostile keys as data and skips malformed lines', () => {
    const m = parseMeminfo('__proto__: 5 kB\nconstructor: 7\nBad line\nMemTotal: -5 kB\nMemFree: 12 MB\nCached:\n');
    expect(Object.keys(m).sort()).toEqual(['__proto__', 'constructor']);
    expect(m['__proto__']).toBe(5 * 1024);
    expect(hostMemoryFromMeminfo(m).totalBytes).toBe(0);
  });

  it('is empty for garbage and never throws on truncation', () => {
    expect(parseMeminfo('')).toEqual({});
    const full = fixture('proc/meminfo');
    for (let n = 0; n <= full.length; n += 5)
      expect(() => hostMemoryFromMeminfo(parseMeminfo(full.slice(0, n)))).not.toThrow();
  });
});

describe('parseLoadavg / parseUptime', () => {
  it('reads the real files', () => {
    expect(parseLoadavg(fixture('proc/loadavg'))).toEqual([1.13, 0.75, 0.35]);
    expect(parseUptime(fixture('proc/uptime'))).toBe(517.25);
  });

  it('returns null for cut or malformed input', () => {
    expect(parseLoadavg('1.13 0.75')).toBeNull();
    expect(parseLoadavg('1.13 -0.75 0.35')).toBeNull();
    expect(parseUptime('abc 1.0')).toBeNull();
  });

  it.each(HOSTILE)('returns null for garbage %#', (text) => {
    expect(parseLoadavg(text)).toBeNull();
    expect(parseUptime(text)).toBeNull();
  });
});

describe('parseOsRelease', () => {
  it('reads the real Debian file', () => {
    expect(parseOsRelease(fixture('etc/os-release'))).toEqual({
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      id: 'debian',
      versionId: '12',
    });
  });

  it('handles bare, single-quoted and escaped double-quoted values, comments and blank lines', () => {
    const text = ['# a comment', '', "PRETTY_NAME='Alpine Linux v3.19'", 'ID=alpine', 'VERSION_ID=3.19.1'].join('\n');
    expect(parseOsRelease(text)).toEqual({ prettyName: 'Alpine Linux v3.19', id: 'alpine', versionId: '3.19.1' });
    expect(parseOsRelease('PRETTY_NAME="Say \\"hi\\" \\\\ \\$HOME"\nID=x\n').prettyName).toBe('Say "hi" \\ $HOME');
  });

  it('gives null for missing, empty or unterminated values', () => {
    expect(parseOsRelease('PRETTY_NAME="unterminated\nID=\nVERSION_ID="1\n')).toEqual({
      prettyName: null,
      id: null,
      versionId: null,
    });
  });

  it.each(HOSTILE)('returns nulls for garbage %#', (text) => {
    expect(parseOsRelease(text)).toEqual({ prettyName: null, id: null, versionId: null });
  });
});

describe('parsePasswd', () => {
  it('maps uids of the real /etc/passwd to names', () => {
    const users = parsePasswd(fixture('etc/passwd'));
    expect(users.get(0)).toBe('root');
    expect(users.get(33)).toBe('www-data');
    expect(users.get(65534)).toBe('nobody');
    expect(users.size).toBe(fixture('etc/passwd').trim().split('\n').length);
  });

  it('keeps the first name of a duplicated uid and skips NIS, comments and malformed lines', () => {
    const text =
      'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n+nis::::::\n# x:x:5\nbad:x:abc:0\nshort:x\n:x:7:7::/:/bin/sh\n';
    expect([...parsePasswd(text)]).toEqual([[0, 'root']]);
  });

  it.each(HOSTILE)('is empty for garbage %#', (text) => {
    expect(parsePasswd(text).size).toBe(0);
  });
});

describe('parseNetDev', () => {
  it('reads the real host file, including names glued to their first counter (docker0:, veth...:)', () => {
    const devs = parseNetDev(fixture('proc/net-dev'));
    expect(devs.map((d) => d.name)).toEqual([
      'lo',
      'ifb0',
      'ifb1',
      'eth0',
      'docker0',
      'veth83c4af3',
      'vethc79ea04',
      'veth1d9b130',
    ]);
    // `ip -s link show docker0` at capture time: RX 10972 bytes 118 packets, TX 11332 bytes 140 packets.
    expect(devs.find((d) => d.name === 'docker0')).toEqual({
      name: 'docker0',
      rxBytes: 10972,
      rxPackets: 118,
      txBytes: 11332,
      txPackets: 140,
    });
    expect(devs.find((d) => d.name === 'eth0')).toEqual({
      name: 'eth0',
      rxBytes: 296306271,
      rxPackets: 6465,
      txBytes: 353703,
      txPackets: 3739,
    });
  });

  it("reads a container's namespace (real /proc/PID/net/dev of dm-unlimited)", () => {
    expect(parseNetDev(fixture('proc/container-net-dev'))).toEqual([
      { name: 'lo', rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 },
      { name: 'eth0', rxBytes: 1394, rxPackets: 17, txBytes: 0, txPackets: 0 },
    ]);
  });

  it('reads a counter wider than its column with no space after the colon', () => {
    const line =
      '  eth0:123456789012345 99    0    0    0     0          0         0 98765432109876 88    0    0    0     0       0          0\n';
    expect(parseNetDev(line)).toEqual([
      { name: 'eth0', rxBytes: 123456789012345, rxPackets: 99, txBytes: 98765432109876, txPackets: 88 },
    ]);
  });

  it('skips cut lines and never throws', () => {
    const full = fixture('proc/net-dev');
    const cut = full.slice(0, full.indexOf('eth0:') + 20);
    expect(parseNetDev(cut).map((d) => d.name)).toEqual(['lo', 'ifb0', 'ifb1']);
    for (let n = 0; n <= full.length; n += 3) expect(() => parseNetDev(full.slice(0, n))).not.toThrow();
  });

  it.each(HOSTILE)('is empty for garbage %#', (text) => {
    expect(parseNetDev(text)).toEqual([]);
  });
});
