// The CLI's pressure sections, on the machine snapshot with the machine's real PSI files (fixtures/pressure).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printHost } from '../../../src/cli/hostPrinter';
import { printContainerDetail } from '../../../src/cli/containerPrinter';
import { applyRates } from '../../../src/core/analyze/rates';
import { toJson } from '../../../src/core/json';
import type { PressureSet, Snapshot } from '../../../src/core/model';
import { pressureSet } from '../../../src/core/parse/pressure';
import { containerNamed, machineSnapshot } from '../fixtures/snapshots/machine';

const read = (p: string): string => readFileSync(new URL(`../fixtures/pressure/${p}`, import.meta.url), 'utf8');
const host = (): PressureSet => pressureSet(read('host/cpu'), read('host/memory'), read('host/io'))!;

/** Two samples 2 s apart whose cpu `some` total grew by 500 ms: a 25 % stall over the interval. */
function sampled(): Snapshot {
  const prev = machineSnapshot();
  const cur = machineSnapshot();
  prev.host.pressure = host();
  cur.host.pressure = host();
  cur.host.pressure.cpu!.some.totalUs += 500_000;
  cur.sampleUptime = prev.sampleUptime + 2;
  return applyRates(prev, cur);
}

describe('monitor host: pressure', () => {
  it('one row per resource and line: the file’s averages, the stall over the interval, the total in seconds', () => {
    const out = printHost(sampled());
    const cpuSome = out.split('\n').find((l) => /^cpu\s+some/.test(l))!;
    // host/cpu: some avg10=53.05 avg60=54.59 avg300=60.43 total=1054556743 (+ 500000 µs).
    expect(cpuSome).toMatch(/^cpu\s+some\s+53\.05%\s+54\.59%\s+60\.43%\s+25\.00%\s+1055\.1 s$/);
    expect(out).toMatch(/^memory\s+full\s+0\.00%\s+0\.00%\s+0\.00%\s+0\.00%\s+0\.0 s$/m);
    expect(out).toMatch(/^io\s+full\s+0\.00%/m);
  });

  it('a resource without its file, and a host without /proc/pressure, say so', () => {
    const s = machineSnapshot();
    s.host.pressure = { ...host(), io: null };
    expect(printHost(s)).toMatch(/^io\s+-.*not available/m);
    s.host.pressure = null;
    expect(printHost(s)).toMatch(/no \/proc\/pressure/);
  });

  it('--json carries it as the model has it', () => {
    const json = JSON.parse(toJson(sampled())) as Snapshot;
    expect(json.host.pressure!.cpu!.some).toEqual({
      avg10: 53.05,
      avg60: 54.59,
      avg300: 60.43,
      totalUs: 1054556743 + 500_000,
      totalPercent: 25,
    });
  });
});

describe('monitor container: pressure', () => {
  it('shown when its *.pressure was read, left out when not', () => {
    const s = machineSnapshot();
    const c = containerNamed(s, 'dm-limited');
    expect(printContainerDetail(s, c)).not.toMatch(/^Pressure/m);
    c.pressure = pressureSet(
      read('unified-dm-limited/cpu.pressure'),
      read('unified-dm-limited/memory.pressure'),
      read('unified-dm-limited/io.pressure'),
    );
    const out = printContainerDetail(s, c);
    expect(out).toMatch(/^Pressure/m);
    expect(out).toMatch(/^cpu\s+full\s+28\.69%\s+32\.37%\s+35\.99%\s+-\s+616\.3 s$/m);
  });
});
