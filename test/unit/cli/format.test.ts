import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../../src/core/format';

describe('formatBytes', () => {
  it('uses binary units with one decimal at most', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
    expect(formatBytes(25_000_000_000)).toBe('23.3 GiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3 TiB');
  });

  it('moves up a unit instead of printing 1024', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
    expect(formatBytes(1024 * 1024 - 60)).toBe('1023.9 KiB');
  });

  it('keeps the sign of a negative figure', () => {
    expect(formatBytes(-2048)).toBe('-2 KiB');
  });

  it('prints a dash for missing figures', () => {
    expect(formatBytes(null)).toBe('-');
    expect(formatBytes(undefined)).toBe('-');
    expect(formatBytes(Number.NaN)).toBe('-');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('-');
  });
});

describe('formatPercent', () => {
  it('rounds to the requested decimals', () => {
    expect(formatPercent(12.345)).toBe('12.3%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(99.96)).toBe('100.0%');
    expect(formatPercent(5.5, 0)).toBe('6%');
    expect(formatPercent(150.04, 2)).toBe('150.04%');
    expect(formatPercent(null)).toBe('-');
  });
});

describe('formatRate', () => {
  it('is bytes per second', () => {
    expect(formatRate(1536)).toBe('1.5 KiB/s');
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(null)).toBe('-');
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(2.5)).toBe('2.5s');
    expect(formatDuration(0.04)).toBe('0s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(60)).toBe('1m');
    expect(formatDuration(303)).toBe('5m 3s');
    expect(formatDuration(3661)).toBe('1h 1m');
    expect(formatDuration(90061)).toBe('1d 1h');
    expect(formatDuration(3 * 86400 + 5)).toBe('3d');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 12 * 60)).toBe('3d 4h');
    expect(formatDuration(null)).toBe('-');
  });
});
