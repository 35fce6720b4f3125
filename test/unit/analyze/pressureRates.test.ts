// PSI stall rates from two samples: totalPercent = Δ total (µs) / elapsed (µs) × 100, on the machine's real PSI
// files put into two real snapshots 1.57 s apart (rates-capture.txt), with the deltas worked out by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyRates, pressureRates } from '../../../src/core/analyze/rates';
import type { PressureSet, Snapshot } from '../../../src/core/model';
import { pressureSet } from '../../../src/core/parse/pressure';
import { CAPTURE_ID, captureSnapshot } from '../fixtures/snapshots/capture';

const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/pressure/${path}`, import.meta.url), 'utf8');
const hostSet = (): PressureSet => pressureSet(fixture('host/cpu'), fixture('host/memory'), fixture('host/io'))!;

// rates-capture.txt: 528.00 - 526.43 s of uptime between the two samples.
const ELAPSED_US = (528.0 - 526.43) * 1e6;

/** The second sample: the same files, `some` cpu total moved by `someUs`, `full` io total by `fullUs`. */
function later(set: PressureSet, someUs: number, fullUs: number): PressureSet {
  return {
    ...set,
    cpu: { ...set.cpu!, some: { ...set.cpu!.some, totalUs: set.cpu!.some.totalUs + someUs } },
    io: { ...set.io!, full: { ...set.io!.full!, totalUs: set.io!.full!.totalUs + fullUs } },
  };
}

function pair(prevSet: PressureSet | null, curSet: PressureSet | null): [Snapshot, Snapshot] {
  const prev = captureSnapshot(0);
  const cur = captureSnapshot(1);
  prev.host.pressure = prevSet;
  cur.host.pressure = curSet;
  return [prev, cur];
}

describe('PSI stall rates', () => {
  it('host: Δ total over the elapsed uptime, per line; an unchanged total is 0 %', () => {
    // 785,000 µs of cpu `some` stall in 1.57 s is half the time; 157,000 µs of io `full` a tenth.
    const [prev, cur] = pair(hostSet(), later(hostSet(), 785_000, 157_000));
    const p = applyRates(prev, cur).host.pressure!;
    expect(p.cpu!.some.totalPercent).toBeCloseTo((785_000 / ELAPSED_US) * 100, 9);
    expect(p.cpu!.some.totalPercent).toBeCloseTo(50, 9);
    expect(p.io!.full!.totalPercent).toBeCloseTo(10, 9);
    expect(p.memory!.some.totalPercent).toBe(0);
    // The kernel's own averages pass through untouched.
    expect(p.cpu!.some.avg60).toBe(hostSet().cpu!.some.avg60);
  });

  it('first sample, a resource or line missing before, or a total gone backwards: null, never a negative share', () => {
    expect(applyRates(null, pair(null, hostSet())[1]).host.pressure!.cpu!.some.totalPercent).toBeNull();
    const noCpuBefore = { ...hostSet(), cpu: null };
    expect(applyRates(...pair(noCpuBefore, hostSet())).host.pressure!.cpu!.some.totalPercent).toBeNull();
    const backwards = applyRates(...pair(later(hostSet(), 1_000, 0), hostSet())).host.pressure!;
    expect(backwards.cpu!.some.totalPercent).toBeNull();
    expect(applyRates(...pair(hostSet(), null)).host.pressure).toBeNull();
  });

  it('a share above the interval (the files and the clock read a moment apart) is held at 100 %', () => {
    const [prev, cur] = pair(hostSet(), later(hostSet(), ELAPSED_US * 1.01, 0));
    expect(applyRates(prev, cur).host.pressure!.cpu!.some.totalPercent).toBe(100);
  });

  it('container: the same, and a restarted container (new startedAt, fresh cgroup) starts again', () => {
    const read = (f: string): string => fixture(`unified-dm-limited/${f}`);
    const set = pressureSet(read('cpu.pressure'), read('memory.pressure'), read('io.pressure'))!;
    const [prev, cur] = pair(null, null);
    const withPressure = (s: Snapshot, p: PressureSet): void => {
      s.containers.find((c) => c.id === CAPTURE_ID)!.pressure = p;
    };
    withPressure(prev, set);
    withPressure(cur, later(set, 314_000, 0));
    const got = applyRates(prev, cur).containers.find((c) => c.id === CAPTURE_ID)!.pressure!;
    expect(got.cpu!.some.totalPercent).toBeCloseTo(20, 9);
    cur.containers.find((c) => c.id === CAPTURE_ID)!.startedAt = '2030-01-01T00:00:00Z';
    const restarted = applyRates(prev, cur).containers.find((c) => c.id === CAPTURE_ID)!.pressure!;
    expect(restarted.cpu!.some.totalPercent).toBeNull();
  });

  it('pressureRates with no elapsed time gives null shares', () => {
    expect(pressureRates(hostSet(), later(hostSet(), 5, 5), 0)!.cpu!.some.totalPercent).toBeNull();
  });
});
