// The PSI gap rules on the machine snapshot with PSI files put into its containers: the real dm-limited
// cpu.pressure (a throttled container) and the documented cgroup v2 memory-pressured files (fixtures/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuPressureNotThrottled, memoryPressureBelowLimit } from '../../../src/core/analyze/gapRulesPressure';
import { analyzeGaps } from '../../../src/core/analyze/gaps';
import type { ContainerInfo, PressureSet, Snapshot } from '../../../src/core/model';
import { pressureSet } from '../../../src/core/parse/pressure';
import { containerNamed, machineSnapshot } from '../fixtures/snapshots/machine';
import { CFS_CONTAINER, cfsSnapshot, collected, runnable } from '../fixtures/snapshots/cfsRun';

const MIB = 1024 * 1024;
const read = (dir: string, f: string): string =>
  readFileSync(new URL(`../fixtures/pressure/${dir}/${f}`, import.meta.url), 'utf8');
const set = (dir: string): PressureSet =>
  pressureSet(read(dir, 'cpu.pressure'), read(dir, 'memory.pressure'), read(dir, 'io.pressure'))!;
/** memory.pressure some avg60 15.30 (documented v2 files); cpu some avg60 32.37 (dm-limited, real). */
const MEMORY_PRESSURED = 'v2-documented/memory-pressured';
const CPU_PRESSURED = 'unified-dm-limited';

function withPressure(name: string, dir: string, change: (c: ContainerInfo) => void = () => {}): Snapshot {
  const s = machineSnapshot();
  const c = containerNamed(s, name);
  c.pressure = set(dir);
  change(c);
  return s;
}

describe('memory-pressure-below-limit', () => {
  it('fires for a container stalled on memory at a quarter of its limit, with what it means and what to do', () => {
    const s = withPressure('dm-limited', MEMORY_PRESSURED, (c) => {
      c.memory.limitBytes = 64 * MIB;
      c.memory.usageBytes = 16 * MIB;
      c.memory.percent = 25;
    });
    const [f, ...rest] = memoryPressureBelowLimit(s);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      rule: 'memory-pressure-below-limit',
      severity: 'warning',
      subject: { name: 'dm-limited' },
    });
    expect(f.evidence).toMatchObject({ memorySomeAvg60: 15.3, usagePercent: 25, limitBytes: 64 * MIB });
    expect(f.message).toMatch(/15\.3 ?%/);
    expect(f.message).toMatch(/whole host/);
    expect(f.message).toMatch(/--memory-reservation/);
    expect(analyzeGaps(s).some((x) => x.rule === 'memory-pressure-below-limit')).toBe(true);
  });

  it('fires for a container without a memory limit', () => {
    const s = withPressure('dm-unlimited', MEMORY_PRESSURED);
    expect(containerNamed(s, 'dm-unlimited').memory.limitBytes).toBeNull();
    expect(memoryPressureBelowLimit(s).map((f) => f.message)).toEqual([expect.stringMatching(/no memory limit/)]);
  });

  it('is silent near the limit (its own limit explains the stall), under the threshold, or without PSI', () => {
    const near = withPressure('dm-limited', MEMORY_PRESSURED, (c) => {
      c.memory.limitBytes = 64 * MIB;
      c.memory.usageBytes = 60 * MIB;
      c.memory.percent = (60 / 64) * 100;
    });
    expect(memoryPressureBelowLimit(near)).toEqual([]);
    // The machine's real files: dm-multi's memory.pressure is all zeros.
    expect(memoryPressureBelowLimit(withPressure('dm-unlimited', 'unified-dm-multi'))).toEqual([]);
    expect(memoryPressureBelowLimit(machineSnapshot())).toEqual([]);
  });
});

describe('cpu-pressure-not-throttled', () => {
  it('fires for a container without a quota whose tasks wait for a CPU: contention from neighbours', () => {
    const s = withPressure('dm-multi', CPU_PRESSURED);
    expect(containerNamed(s, 'dm-multi').cpu.quotaUs).toBeNull();
    const [f, ...rest] = cpuPressureNotThrottled(s);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'cpu-pressure-not-throttled', subject: { name: 'dm-multi' } });
    expect(f.evidence.cpuSomeAvg60).toBe(32.37);
    expect(f.message).toMatch(/busy with other work/);
    expect(f.message).toMatch(/--cpus/);
  });

  it('fires for a limited container not throttled over the interval, while the window is not known', () => {
    const s = withPressure('dm-limited', CPU_PRESSURED, (c) => (c.cpu.throttledPercent = 0));
    expect(cpuPressureNotThrottled(s).map((f) => f.subject.name)).toEqual(['dm-limited']);
  });

  it('is silent when the quota throttled it (that explains the stall), when throttling is unknown, or calm', () => {
    const throttled = withPressure('dm-limited', CPU_PRESSURED, (c) => (c.cpu.throttledPercent = 60));
    expect(cpuPressureNotThrottled(throttled)).toEqual([]);
    const oneSample = withPressure('dm-limited', CPU_PRESSURED, (c) => (c.cpu.throttledPercent = null));
    expect(cpuPressureNotThrottled(oneSample)).toEqual([]);
    expect(cpuPressureNotThrottled(withPressure('dm-multi', 'unified-dm-multi'))).toEqual([]);
  });
});

describe('cpu-pressure-not-throttled over the minute of avg60 (window + rates + gap analysis, refreshes 2 s apart)', () => {
  /** dm-limited's findings of this rule at each refresh, with cpu.pressure some avg60 at 20 %. */
  function refreshes(throttledBy: (t: number) => number, until = 60): Snapshot[] {
    const pressured = (c: ContainerInfo) => {
      c.pressure = set(CPU_PRESSURED);
      c.pressure.cpu!.some.avg60 = 20;
    };
    return collected(runnable(until, 2, throttledBy).map((r) => cfsSnapshot(r, pressured)));
  }
  const findings = (s: Snapshot) =>
    analyzeGaps(s).filter((f) => f.rule === 'cpu-pressure-not-throttled' && f.subject.name === CFS_CONTAINER);

  it('is silent for a container the quota throttled earlier in the minute but not in the last interval', () => {
    // 40 % of periods (4 a second) for the first 40 s, none in the last 20.
    const last = refreshes((t) => Math.min(t, 40) * 4).at(-1)!;
    const cpu = containerNamed(last, CFS_CONTAINER).cpu;
    expect(cpu.throttledPercent).toBe(0);
    expect(cpu.throttledWindow!.seconds).toBe(60);
    expect(cpu.throttledWindow!.percent).toBeCloseTo((160 / 600) * 100, 9);
    expect(findings(last)).toEqual([]);
  });

  it('fires for one never throttled over the minute, with the window in its message and evidence', () => {
    const [f, ...rest] = findings(refreshes(() => 0).at(-1)!);
    expect(rest).toEqual([]);
    expect(f.message).toMatch(/waited for a CPU 20\.0% of the last minute/);
    expect(f.message).toMatch(/throttled it in 0\.0% of periods over the last 60 s/);
    expect(f.evidence).toMatchObject({
      cpuSomeAvg60: 20,
      throttledPercent: 0,
      throttledWindowPercent: 0,
      throttledWindowSeconds: 60,
    });
  });

  it('does not flip between refreshes for a container throttled about 1 % of the time', () => {
    // One throttled period every third refresh: 1 of 60 periods (1.7 %), so each interval reads 5 % or 0 %.
    // From t = 60 s on (refresh 30), once the window spans the whole minute.
    const after = refreshes((t) => Math.floor(t / 6), 180).slice(30);
    const intervals = after.map((s) => containerNamed(s, CFS_CONTAINER).cpu.throttledPercent);
    expect(new Set(intervals)).toEqual(new Set([0, 5]));
    for (const s of after) expect(containerNamed(s, CFS_CONTAINER).cpu.throttledWindow!.percent).toBeGreaterThan(1);
    expect(after.map((s) => findings(s).length)).toEqual(after.map(() => 0));
  });
});
