// The record format's value widths: a refresh's samples keep their figures exactly (float64), a minute's
// min/avg/max are float32 (half the bytes, so twice the containers fit the same bound), and files written with
// float64 minutes by the previous version still read exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAGIC, decodeFile, encodeRecord, encodedSize } from '../../../src/core/history/codec';
import type { HistoryRecord } from '../../../src/core/history/codec';

const FIELDS = 11;
const row = (v: number): Array<number | null> =>
  Array.from({ length: FIELDS }, (_, i) => (i === 3 ? null : v * (i + 1)));

function roundTrip(records: HistoryRecord[]): HistoryRecord[] {
  const d = decodeFile(Buffer.concat([MAGIC, ...records.map(encodeRecord)]));
  expect(d.damage).toBeNull();
  return d.records;
}

type MinuteEntry = Extract<HistoryRecord, { kind: 'minute' }>['entries'][number];
const minuteRecord = (t: number, entries: MinuteEntry[]): HistoryRecord => ({ kind: 'minute', t, entries });

const fields: HistoryRecord = { kind: 'fields', fields: Array.from({ length: FIELDS }, (_, i) => `f${i}`) };

describe('history record widths', () => {
  it('keeps a refresh sample exactly, nulls included', () => {
    const samples: HistoryRecord = {
      kind: 'samples',
      t: 1764547200123,
      entries: [{ index: 0, values: row(0.1 + 0.2) }],
    };
    const [, back] = roundTrip([fields, samples]);
    expect(back).toEqual(samples);
  });

  it('stores a minute as float32: each value is its nearest float32, nulls stay null, the time is exact', () => {
    const minute = minuteRecord(1764547260000, [
      { index: 2, min: row(0.123456789), avg: row(12345.6789), max: row(1234567891.5) },
    ]);
    const [, back] = roundTrip([fields, minute]);
    const f32 = (col: Array<number | null>) => col.map((v) => (v === null ? null : Math.fround(v)));
    expect(back).toEqual({
      kind: 'minute',
      t: 1764547260000,
      entries: [{ index: 2, min: f32(row(0.123456789)), avg: f32(row(12345.6789)), max: f32(row(1234567891.5)) }],
    });
    // Relative error of float32: under 2^-24 of the value.
    const e = back.kind === 'minute' ? back.entries[0].max[0]! : NaN;
    expect(Math.abs(e - 1234567891.5) / 1234567891.5).toBeLessThan(2 ** -24);
  });

  it('a minute of 64 subjects takes half the bytes of float64 minutes, and encodedSize says so before encoding', () => {
    const minute = minuteRecord(
      0,
      Array.from({ length: 64 }, (_, index) => ({ index, min: row(1), avg: row(2), max: row(3) })),
    );
    expect(encodedSize(minute)).toBe(encodeRecord(minute).length);
    // frame 8 + head 11 + per subject (2-byte index + 11 fields × 3 × 4 bytes)
    expect(encodeRecord(minute).length).toBe(8 + 11 + 64 * (2 + FIELDS * 3 * 4));
  });

  it('a value beyond float32 reads back as null, never Infinity', () => {
    const minute = minuteRecord(0, [{ index: 0, min: row(1e39), avg: row(1), max: row(1) }]);
    const [, back] = roundTrip([fields, minute]);
    expect(back.kind === 'minute' && back.entries[0].min.every((v) => v === null)).toBe(true);
  });

  it('reads a file whose minutes the previous version wrote as float64, exactly', () => {
    // Written by the encoder of commit 537a873 (float64 minutes, record kind 3).
    const d = decodeFile(readFileSync(join(__dirname, 'fixtures', 'minutes-float64.dmh')));
    expect(d.damage).toBeNull();
    expect(d.records).toEqual([
      { kind: 'fields', fields: ['cpuPercent', 'memoryBytes'] },
      { kind: 'subject', index: 0, key: '', name: 'host' },
      {
        kind: 'minute',
        t: 1764547200000,
        entries: [{ index: 0, min: [0.1, 1073741825], avg: [12.345678901, 1234567891], max: [99.99, null] }],
      },
      { kind: 'samples', t: 1764547260000, entries: [{ index: 0, values: [0.1 + 0.2, 123456789] }] },
    ]);
  });
});
