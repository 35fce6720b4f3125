import { describe, expect, it } from 'vitest';
import { HISTORY_CAPACITY, HISTORY_MIN_CAPACITY, SeriesHistory, gapThreshold } from '../../../src/core/panels/history';

const FIELDS = ['a', 'b'] as const;

function filled(n: number, capacity: number, stepMs = 2000): SeriesHistory<'a' | 'b'> {
  const h = new SeriesHistory(FIELDS, capacity);
  for (let i = 1; i <= n; i++) h.push(i * stepMs, { a: i, b: -i });
  return h;
}

describe('SeriesHistory', () => {
  it('keeps at least 15 minutes at the default 2 s refresh', () => {
    expect(HISTORY_MIN_CAPACITY).toBe((15 * 60) / 2);
    expect(HISTORY_CAPACITY).toBeGreaterThanOrEqual(HISTORY_MIN_CAPACITY);
    expect(new SeriesHistory(FIELDS).capacity).toBe(HISTORY_CAPACITY);
  });

  it('returns points oldest first', () => {
    const h = filled(3, 10);
    expect(h.columns(Infinity)).toEqual({ t: [2000, 4000, 6000], values: { a: [1, 2, 3], b: [-1, -2, -3] } });
    expect(h.length).toBe(3);
    expect(h.lastTime).toBe(6000);
  });

  it('drops the oldest points once full, across several wraps', () => {
    const h = filled(23, 5);
    expect(h.length).toBe(5);
    expect(h.columns(Infinity).t).toEqual([38000, 40000, 42000, 44000, 46000]);
    expect(h.columns(Infinity).values.a).toEqual([19, 20, 21, 22, 23]);
  });

  it('ignores a point that is not newer than the last one', () => {
    const h = filled(2, 5);
    expect(h.push(4000, { a: 99 })).toBe(false);
    expect(h.push(3000, { a: 99 })).toBe(false);
    expect(h.push(Number.NaN, { a: 99 })).toBe(false);
    expect(h.push(4001, { a: 5 })).toBe(true);
    expect(h.columns(Infinity).values.a).toEqual([1, 2, 5]);
  });

  it('stores missing, NaN and infinite values as null', () => {
    const h = new SeriesHistory(FIELDS, 5);
    h.push(1, { a: Number.NaN });
    h.push(2, { a: Infinity, b: null });
    expect(h.columns(Infinity).values).toEqual({ a: [null, null], b: [null, null] });
  });

  it('breaks the line where refreshes stopped (nulls between points further apart than the gap)', () => {
    const h = new SeriesHistory(FIELDS, 10);
    for (const t of [0, 2000, 4000, 60000, 62000]) h.push(t, { a: t, b: 1 });
    const c = h.columns(10000);
    expect(c.t).toEqual([0, 2000, 4000, 32000, 60000, 62000]);
    expect(c.values.a).toEqual([0, 2000, 4000, null, 60000, 62000]);
    // By default the gap is derived from the points' own spacing.
    expect(h.columns().t).toEqual(c.t);
    expect(h.columns(Infinity).t).toEqual([0, 2000, 4000, 60000, 62000]);
  });

  it('clear empties it', () => {
    const h = filled(3, 5);
    h.clear();
    expect(h.length).toBe(0);
    expect(h.lastTime).toBeNull();
    expect(h.push(1, { a: 1 })).toBe(true);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new SeriesHistory(FIELDS, 0)).toThrow(RangeError);
    expect(() => new SeriesHistory(FIELDS, 1.5)).toThrow(RangeError);
  });
});

describe('SeriesHistory state (webview setState / getState)', () => {
  it('round-trips through JSON', () => {
    const h = filled(7, 5);
    const state: unknown = JSON.parse(JSON.stringify(h.toState()));
    const back = SeriesHistory.fromState(state, FIELDS, 5);
    expect(back.columns(Infinity)).toEqual(h.columns(Infinity));
  });

  it('keeps the newest points when restored into a smaller history', () => {
    const back = SeriesHistory.fromState(filled(10, 10).toState(), FIELDS, 3);
    expect(back.columns(Infinity).values.a).toEqual([8, 9, 10]);
  });

  it('maps fields by name: a field the state lacks reads null, an unknown one is dropped', () => {
    const state = {
      fields: ['b', 'zzz'],
      t: [1, 2],
      values: [
        [10, 20],
        [7, 7],
      ],
    };
    const back = SeriesHistory.fromState(state, FIELDS, 5);
    expect(back.columns(Infinity)).toEqual({ t: [1, 2], values: { a: [null, null], b: [10, 20] } });
  });

  it('starts empty from junk, and skips bad points', () => {
    for (const junk of [undefined, null, 42, 'x', { fields: 'a' }, { fields: [], t: {}, values: [] }]) {
      expect(SeriesHistory.fromState(junk, FIELDS, 5).length).toBe(0);
    }
    const state = { fields: ['a'], t: [1, 'two', 3, 2], values: [[1, 2, 'three', 4]] };
    const back = SeriesHistory.fromState(state, FIELDS, 5);
    expect(back.columns(Infinity)).toEqual({ t: [1, 3], values: { a: [1, null], b: [null, null] } });
  });
});

describe('gapThreshold', () => {
  it('is five refresh intervals, at least 10 s, and none for too few points', () => {
    expect(gapThreshold([0, 2000, 4000, 6000])).toBe(10000);
    expect(gapThreshold([0, 5000, 10000, 15000, 600000])).toBe(25000);
    expect(gapThreshold([0, 2000])).toBe(Infinity);
  });
});
