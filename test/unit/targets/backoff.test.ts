import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/core/targets/backoff';
import { refreshIntervalMs } from '../../../src/core/targets/refreshInterval';

describe('backoffDelayMs', () => {
  it('doubles from 1 s and stays at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 10_000].map(backoffDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });
  it('treats nonsense attempts as the first', () => {
    expect([-1, Number.NaN, Number.POSITIVE_INFINITY].map(backoffDelayMs)).toEqual([1000, 1000, 1000]);
  });
});

describe('refreshIntervalMs', () => {
  it('converts seconds, defaults to 2 s and never goes below 0.5 s', () => {
    expect(refreshIntervalMs(2)).toBe(2000);
    expect(refreshIntervalMs(0.75)).toBe(750);
    expect(refreshIntervalMs(undefined)).toBe(2000);
    expect(refreshIntervalMs('5')).toBe(2000);
    expect(refreshIntervalMs(Number.NaN)).toBe(2000);
    expect(refreshIntervalMs(0.1)).toBe(500);
    expect(refreshIntervalMs(-3)).toBe(500);
    expect(refreshIntervalMs(1e9)).toBe(86_400_000);
  });
});
