import { describe, expect, it } from 'vitest';
import { refreshDeadlineMs, refreshIntervalMs } from '../../../src/core/targets/refreshInterval';

describe('refreshDeadlineMs', () => {
  it('is five intervals, at least 15 s and at most 2 min', () => {
    expect(refreshDeadlineMs(refreshIntervalMs(2))).toBe(15_000);
    expect(refreshDeadlineMs(refreshIntervalMs(0.5))).toBe(15_000);
    expect(refreshDeadlineMs(refreshIntervalMs(10))).toBe(50_000);
    expect(refreshDeadlineMs(refreshIntervalMs(3600))).toBe(120_000);
  });

  it('is the floor for nonsense', () => {
    for (const bad of [NaN, -1, 0, Infinity]) expect(refreshDeadlineMs(bad)).toBe(15_000);
  });
});
