// Property tests (fast-check, seeded) for the host-wide parsers: files are generated in the kernel's own format
// (the printf of fs/proc/meminfo.c, net/core/net-procfs.c, fs/proc/stat.c), and what was put in is the oracle.
import fc from 'fast-check';
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

const SEED = 20240902;
const RUNS = 1000;

const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 99999n }));
const cutAt = (text: string, at: number): string => text.slice(0, at % (text.length + 1));
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && Number.isInteger(v) && v >= 0;
/** Arbitrary text with the characters these files are made of over-represented. */
const junk = fc
  .array(
    fc.oneof(
      fc.constantFrom(':', ' ', '\t', '\n', 'kB', '-', '1', '99999999999999999999', 'cpu', 'e3', 'NaN', '__proto__'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 60 },
  )
  .map((a) => a.join(''));

describe('/proc/meminfo (fuzz)', () => {
  const entry = fc.record({ key: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_()]{0,18}$/), value: u64, kb: fc.boolean() });
  const file = fc.uniqueArray(entry, { selector: (e) => e.key, maxLength: 30 }).map((entries) => ({
    entries,
    text: entries.map((e) => `${`${e.key}:`.padEnd(16)}${String(e.value).padStart(8)}${e.kb ? ' kB' : ''}\n`).join(''),
  }));

  it('round-trips every line, kB in bytes', () => {
    fc.assert(
      fc.property(file, ({ entries, text }) => {
        const want = Object.fromEntries(entries.map((e) => [e.key, Number(e.value * (e.kb ? 1024n : 1n))]));
        expect({ ...parseMeminfo(text) }).toEqual(want);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a file cut at any byte gives a subset of the same values, never a cut number', () => {
    fc.assert(
      fc.property(file, fc.nat(), ({ entries, text }, at) => {
        const got = parseMeminfo(cutAt(text, at));
        for (const [k, v] of Object.entries(got)) {
          const e = entries.find((x) => x.key === k)!;
          expect(v).toBe(Number(e.value * (e.kb ? 1024n : 1n)));
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary text: no throw, only whole non-negative values, and host memory figures stay non-negative', () => {
    fc.assert(
      fc.property(junk, (t) => {
        const m = parseMeminfo(t);
        for (const v of Object.values(m)) expect(isCount(v)).toBe(true);
        for (const v of Object.values(hostMemoryFromMeminfo(m))) expect(v >= 0 && Number.isFinite(v)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('/proc/net/dev (fuzz)', () => {
  // dev_valid_name(): 1-15 bytes, no '/', ':' or whitespace, not "." or "..".
  const name = fc
    .string({
      unit: fc.oneof(
        fc.constantFrom('e', 't', 'h', '0', '.', '-', '@', 'é'),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
      ),
      minLength: 1,
      maxLength: 15,
    })
    .filter((n) => !/[\s/:\0]/.test(n) && n !== '.' && n !== '..' && Buffer.byteLength(n) <= 15);
  const iface = fc.record({ name, counters: fc.array(u64, { minLength: 16, maxLength: 16 }) });
  const WIDTHS = [8, 7, 4, 4, 4, 5, 10, 9, 8, 7, 4, 4, 4, 5, 7, 10];
  const file = fc.uniqueArray(iface, { selector: (i) => i.name, maxLength: 8 }).map((ifaces) => ({
    ifaces,
    text:
      'Inter-|   Receive                                                |  Transmit\n' +
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
      ifaces
        .map((i) => `${i.name.padStart(6)}:${i.counters.map((c, k) => String(c).padStart(WIDTHS[k])).join(' ')}\n`)
        .join(''),
  }));
  const want = (i: { name: string; counters: bigint[] }) => ({
    name: i.name,
    rxBytes: Number(i.counters[0]),
    rxPackets: Number(i.counters[1]),
    txBytes: Number(i.counters[8]),
    txPackets: Number(i.counters[9]),
  });

  it('round-trips names and counters, long names and counters that leave no space included', () => {
    fc.assert(
      fc.property(file, ({ ifaces, text }) => {
        expect(parseNetDev(text)).toEqual(ifaces.map(want));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a file cut at any byte gives the first interfaces with the same counters', () => {
    fc.assert(
      fc.property(file, fc.nat(), ({ ifaces, text }, at) => {
        const got = parseNetDev(cutAt(text, at));
        expect(got).toEqual(ifaces.slice(0, got.length).map(want));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary text: no throw, whole non-negative counters', () => {
    fc.assert(
      fc.property(junk, (t) => {
        for (const d of parseNetDev(t)) {
          expect(d.name).not.toBe('');
          for (const v of [d.rxBytes, d.rxPackets, d.txBytes, d.txPackets]) expect(isCount(v)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('/proc/stat, loadavg, uptime, os-release, passwd (fuzz)', () => {
  const cpu = fc.array(u64, { minLength: 10, maxLength: 10 });
  const KEYS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
  const times = (c: bigint[]) => Object.fromEntries(KEYS.map((k, i) => [k, Number(c[i])]));
  const stat = fc.record({ total: cpu, per: fc.array(cpu, { maxLength: 6 }), btime: fc.nat() }).map((s) => ({
    ...s,
    text:
      `cpu  ${s.total.join(' ')}\n` +
      s.per.map((c, i) => `cpu${i} ${c.join(' ')}\n`).join('') +
      `intr 1 2 3\nctxt 5\nbtime ${s.btime}\nprocesses 9\nprocs_running 1\nprocs_blocked 0\nsoftirq 1 2 3\n`,
  }));

  it('/proc/stat round-trips, and cut at any byte gives null or the same figures', () => {
    fc.assert(
      fc.property(stat, fc.nat(), (s, at) => {
        expect(parseProcStatCpu(s.text)).toEqual({
          total: times(s.total),
          perCpu: s.per.map(times),
          bootTime: s.btime,
        });
        const got = parseProcStatCpu(cutAt(s.text, at));
        if (got === null) return;
        expect(got.total).toEqual(times(s.total));
        expect(got.perCpu).toEqual(s.per.slice(0, got.perCpu.length).map(times));
        expect([null, s.btime]).toContain(got.bootTime);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('loadavg and uptime round-trip, and give null or finite non-negative figures on arbitrary text', () => {
    const dec = fc.tuple(fc.nat({ max: 99999 }), fc.nat({ max: 99 })).map(([a, b]) => ({
      text: `${a}.${String(b).padStart(2, '0')}`,
      value: Number(`${a}.${String(b).padStart(2, '0')}`),
    }));
    fc.assert(
      fc.property(dec, dec, dec, junk, (a, b, c, t) => {
        expect(parseLoadavg(`${a.text} ${b.text} ${c.text} 2/345 6789\n`)).toEqual([a.value, b.value, c.value]);
        expect(parseUptime(`${a.text} ${b.text}\n`)).toBe(a.value);
        for (const v of [...(parseLoadavg(t) ?? []), parseUptime(t) ?? 0])
          expect(v >= 0 && Number.isFinite(v)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('os-release and passwd never throw on arbitrary text; passwd uids are whole', () => {
    fc.assert(
      fc.property(junk, (t) => {
        const os = parseOsRelease(t);
        for (const v of Object.values(os)) expect(v === null || typeof v === 'string').toBe(true);
        for (const [uid, name] of parsePasswd(t)) {
          expect(isCount(uid)).toBe(true);
          expect(name).not.toBe('');
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
