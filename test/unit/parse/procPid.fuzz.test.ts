// Property tests (fast-check, seeded) for the /proc/PID parsers. Lines are generated structurally valid, so the
// generator is the oracle: what it put in each field is what the parser must give back, whatever the name holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseCmdline,
  parseProcCgroup,
  parseProcStat,
  parseProcStatus,
  procStatField,
} from '../../../src/core/parse/procPid';

const SEED = 20240901;
const RUNS = 1000;

/** A process name as prctl(PR_SET_NAME) allows: anything but NUL, at most 15 bytes, with the awkward parts likely. */
const comm = fc
  .array(
    fc.oneof(
      fc.constantFrom('(', ')', ' ', '\n', ') ', ')(', ') S 1', '\t', '\\', 'a', 'é'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    {
      maxLength: 15,
    },
  )
  .map((parts) => {
    let s = parts.join('').replace(/\0/g, '');
    while (Buffer.byteLength(s) > 15) s = s.slice(0, -1);
    return s;
  });

const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 100000n })).map(String);
const i32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 5000 })).map(String);

interface StatLine {
  text: string;
  pid: number;
  comm: string;
  state: string;
  /** Fields 4.. as printed (index 0 is field 4). */
  fields: string[];
}

/** A /proc/PID/stat line as fs/proc/array.c prints it: 44 to 52 fields, one space apart, a final newline. */
const statLine: fc.Arbitrary<StatLine> = fc
  .record({
    pid: fc.integer({ min: 1, max: 4_194_304 }),
    comm,
    state: fc.constantFrom(...'RSDZTtXxKWPI'),
    signed: fc.array(i32, { minLength: 49, maxLength: 49 }),
    unsigned: fc.array(u64, { minLength: 49, maxLength: 49 }),
    count: fc.integer({ min: 44, max: 52 }),
  })
  .map(({ pid, comm, state, signed, unsigned, count }) => {
    // Signed per proc(5): ppid pgrp session tty_nr tpgid (4-8), cutime..nice (16-19), num_threads (20),
    // itrealvalue (21), rss (24), exit_signal (38), processor (39), exit_code (52). Rss is never negative.
    const signedFields = new Set([4, 5, 6, 7, 8, 16, 17, 18, 19, 20, 21, 38, 39, 52]);
    const fields: string[] = [];
    for (let n = 4; n <= count; n++) {
      const i = n - 4;
      fields.push(n === 24 ? signed[i].replace('-', '') : signedFields.has(n) ? signed[i] : unsigned[i]);
    }
    return { text: `${pid} (${comm}) ${state} ${fields.join(' ')}\n`, pid, comm, state, fields };
  });

const field = (l: StatLine, n: number): number => Number(l.fields[n - 4]);

describe('/proc/PID/stat (fuzz)', () => {
  it('gives back every field the line was made of, whatever the name holds', () => {
    fc.assert(
      fc.property(statLine, (l) => {
        expect(parseProcStat(l.text)).toEqual({
          pid: l.pid,
          comm: l.comm,
          state: l.state,
          ppid: field(l, 4),
          utime: field(l, 14),
          stime: field(l, 15),
          startTicks: field(l, 22),
          vsizeBytes: field(l, 23),
          rssPages: field(l, 24),
          numThreads: field(l, 20),
          processor: field(l, 39),
        });
        for (const n of [4, 14, 15, 20, 22, 23, 24, 39]) expect(procStatField(l.text, n)).toBe(field(l, n));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a line cut at any byte gives null or the same figures, never a cut number', () => {
    fc.assert(
      fc.property(statLine, fc.nat(), (l, at) => {
        const full = parseProcStat(l.text)!;
        const cut = l.text.slice(0, at % (l.text.length + 1));
        const got = parseProcStat(cut);
        if (got !== null) {
          expect({ ...got, processor: full.processor }).toEqual(full);
          expect([null, full.processor]).toContain(got.processor);
        }
        for (const n of [20, 22, 24]) expect([null, field(l, n)]).toContain(procStatField(cut, n));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws on arbitrary text, and gives only whole non-negative counters', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      statLine.chain((l) =>
        fc
          .tuple(fc.nat(l.text.length), fc.string({ maxLength: 20 }))
          .map(([i, junk]) => l.text.slice(0, i) + junk + l.text.slice(i)),
      ),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: -3, max: 60 }), (t, n) => {
        const s = parseProcStat(t);
        if (s !== null) {
          for (const v of [s.pid, s.utime, s.stime, s.startTicks, s.vsizeBytes, s.rssPages]) {
            expect(Number.isInteger(v) && v >= 0).toBe(true);
          }
          expect(Number.isInteger(s.ppid) && Number.isInteger(s.numThreads)).toBe(true);
        }
        const f = procStatField(t, n);
        expect(f === null || Number.isInteger(f)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/** The kernel's escaping of the status Name: '\n' and '\' only. */
const escapeName = (s: string): string => s.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));

const statusFile = fc
  .record({
    name: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('\\n', '\\', 'a\nb', ' x \t', '\\\\n', 'Uid:\t0'),
    ),
    uid: fc.nat({ max: 2 ** 32 - 1 }),
    nsPid: fc.array(fc.integer({ min: 1, max: 4_194_304 }), { minLength: 1, maxLength: 4 }),
    threads: fc.integer({ min: 1, max: 100000 }),
    rssKb: fc.option(fc.nat({ max: 2 ** 40 })),
  })
  .map((s) => {
    const name = s.name.replace(/\0/g, '');
    const lines = [
      `Name:\t${escapeName(name)}`,
      'Umask:\t0022',
      'State:\tS (sleeping)',
      `Uid:\t${s.uid}\t${s.uid}\t${s.uid}\t${s.uid}`,
      `NSpid:\t${s.nsPid.join('\t')}`,
      ...(s.rssKb === null ? [] : [`VmRSS:\t${String(s.rssKb).padStart(8)} kB`]),
      `Threads:\t${s.threads}`,
      'voluntary_ctxt_switches:\t1',
    ];
    return {
      text: lines.join('\n') + '\n',
      want: {
        name,
        uid: s.uid,
        nsPid: s.nsPid,
        threads: s.threads,
        vmRssBytes: s.rssKb === null ? null : s.rssKb * 1024,
      },
    };
  });

describe('/proc/PID/status (fuzz)', () => {
  it('round-trips the escaped name and the figures', () => {
    fc.assert(
      fc.property(statusFile, ({ text, want }) => {
        expect(parseProcStatus(text)).toEqual(want);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a file cut at any byte gives null or, per field, unreadable or the same value', () => {
    fc.assert(
      fc.property(statusFile, fc.nat(), ({ text, want }, at) => {
        const got = parseProcStatus(text.slice(0, at % (text.length + 1)));
        if (got === null) return;
        expect(got.name).toBe(want.name);
        expect([null, want.uid]).toContain(got.uid);
        expect([null, want.threads]).toContain(got.threads);
        expect([null, want.vmRssBytes]).toContain(got.vmRssBytes);
        expect([[], want.nsPid]).toContainEqual(got.nsPid);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws on arbitrary lines, and its figures are whole and non-negative', () => {
    const key = fc.constantFrom('Name', 'Uid', 'NSpid', 'Threads', 'VmRSS', 'Gid', '');
    const line = fc
      .tuple(key, fc.constantFrom(':', ':\t', ': ', ''), fc.string({ unit: 'binary', maxLength: 30 }))
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.boolean(), (lines, nl) => {
        const got = parseProcStatus(lines.join('\n') + (nl ? '\n' : ''));
        if (got === null) return;
        for (const v of [got.uid, got.threads, got.vmRssBytes, ...got.nsPid])
          expect(v === null || (Number.isInteger(v) && v >= 0)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('/proc/PID/cmdline and cgroup (fuzz)', () => {
  it('cmdline round-trips any argument list', () => {
    const arg = fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\0/g, ''));
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 8 }), (args) => {
        expect(parseCmdline(args.map((a) => `${a}\0`).join(''))).toEqual(args);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('cgroup round-trips id:controllers:path lines, paths holding ":" included', () => {
    const controller = fc.stringMatching(/^[a-z_=]{1,12}$/);
    const entry = fc.record({
      hierarchyId: fc.nat({ max: 64 }),
      controllers: fc.array(controller, { maxLength: 3 }),
      path: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s.replace(/\n/g, '')}`),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 14 }), (entries) => {
        const text = entries.map((e) => `${e.hierarchyId}:${e.controllers.join(',')}:${e.path}\n`).join('');
        expect(parseProcCgroup(text)).toEqual(entries);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('cgroup never throws on arbitrary text and keeps only well-formed entries', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (t) => {
        for (const e of parseProcCgroup(t)) {
          expect(Number.isInteger(e.hierarchyId) && e.hierarchyId >= 0).toBe(true);
          expect(e.path.startsWith('/')).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
