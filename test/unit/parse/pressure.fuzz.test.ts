// Property tests (fast-check, seeded) for the PSI parser: files are generated with psi_show()'s printf
// (kernel/sched/psi.c: `%s avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu`), and what was put in is
// the oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePressure } from '../../../src/core/parse/pressure';
import type { PressureLine } from '../../../src/core/model';

const SEED = 20261202;
const RUNS = 1000;

/** LOAD_INT / LOAD_FRAC of a share of wall time: 0.00 to 100.00. */
const avg = fc
  .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 99 }))
  .map(([i, f]): [number, number] => (i === 100 ? [100, 0] : [i, f]));
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 99999n }));
const line = fc.record({ avgs: fc.tuple(avg, avg, avg), total: u64 });
const file = fc.record({ some: line, full: fc.option(line, { nil: undefined }) }).map((f) => {
  const print = (kind: string, l: typeof f.some): string =>
    `${kind} ${['avg10', 'avg60', 'avg300'].map((k, i) => `${k}=${l.avgs[i][0]}.${String(l.avgs[i][1]).padStart(2, '0')}`).join(' ')} total=${l.total}\n`;
  return { ...f, text: print('some', f.some) + (f.full ? print('full', f.full) : '') };
});
/** The printed average as a JS number would read it: 4.94, not 4 + 94 / 100. */
const decimal = ([i, f]: readonly [number, number]): number => Number(`${i}.${String(f).padStart(2, '0')}`);
const want = (l: { avgs: readonly (readonly [number, number])[]; total: bigint }) => ({
  avg10: decimal(l.avgs[0]),
  avg60: decimal(l.avgs[1]),
  avg300: decimal(l.avgs[2]),
  totalUs: Number(l.total),
  totalPercent: null,
});
const close = (got: PressureLine, w: PressureLine): void => {
  for (const k of ['avg10', 'avg60', 'avg300'] as const) expect(got[k]).toBe(w[k]);
  expect(got.totalUs).toBe(w.totalUs);
  expect(got.totalPercent).toBeNull();
};

/** Arbitrary text with the characters these files are made of over-represented. */
const junk = fc
  .array(
    fc.oneof(
      fc.constantFrom('some', 'full', ' ', '\n', 'avg10=', 'avg60=', 'avg300=', 'total=', '100.00', '999', '.', '-1'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));

describe('PSI file (fuzz)', () => {
  it('round-trips some and full (full absent on a host cpu file before 5.13)', () => {
    fc.assert(
      fc.property(file, ({ some, full, text }) => {
        const p = parsePressure(text)!;
        close(p.some, want(some));
        if (full) close(p.full!, want(full));
        else expect(p.full).toBeNull();
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a file cut at any byte: null or the same averages, and a total that is a prefix of the real one', () => {
    fc.assert(
      fc.property(file, fc.nat(), ({ some, full, text }, at) => {
        const p = parsePressure(text.slice(0, at % (text.length + 1)));
        if (p === null) return;
        for (const [got, w] of [
          [p.some, some],
          [p.full, full],
        ] as const) {
          if (got === null || w === undefined) continue;
          expect([got.avg10, got.avg60, got.avg300]).toEqual([want(w).avg10, want(w).avg60, want(w).avg300]);
          const digits = String(w.total);
          const prefixes = [...digits].map((_, k) => Number(digits.slice(0, k + 1)));
          expect(prefixes).toContain(got.totalUs);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary text: no throw; whatever reads is a share of 0-100 % and a whole non-negative total', () => {
    fc.assert(
      fc.property(junk, (t) => {
        const p = parsePressure(t);
        for (const l of p ? [p.some, p.full] : []) {
          if (l === null) continue;
          for (const v of [l.avg10, l.avg60, l.avg300]) expect(v >= 0 && v <= 100).toBe(true);
          expect(Number.isInteger(l.totalUs) && l.totalUs >= 0).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
