// PSI parsing on files copied from the project machine (/proc/pressure and a container's unified-tree files) and on
// files written in the format of the kernel's Documentation/accounting/psi.rst (see fixtures/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CGROUP_PRESSURE_FILES, parsePressure, pressureSet } from '../../../src/core/parse/pressure';

const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/pressure/${path}`, import.meta.url), 'utf8');

/** The fixture's lines taken apart with split('='), not the parser's expression: the oracle for each field. */
function fields(text: string, kind: 'some' | 'full'): Record<string, number> {
  const line = text.split('\n').find((l) => l.startsWith(`${kind} `))!;
  return Object.fromEntries(
    line
      .split(' ')
      .slice(1)
      .map((f) => {
        const [k, v] = f.split('=');
        return [k, Number(v)];
      }),
  );
}

function expectLine(got: unknown, text: string, kind: 'some' | 'full'): void {
  const f = fields(text, kind);
  expect(got).toEqual({ avg10: f.avg10, avg60: f.avg60, avg300: f.avg300, totalUs: f.total, totalPercent: null });
}

describe('parsePressure on the machine (real)', () => {
  for (const resource of ['cpu', 'memory', 'io']) {
    it(`/proc/pressure/${resource}: some and full, every field`, () => {
      const text = fixture(`host/${resource}`);
      const p = parsePressure(text)!;
      expectLine(p.some, text, 'some');
      expectLine(p.full, text, 'full');
    });
  }

  it('the busy, CPU-limited dm-limited: its unified-tree cpu.pressure shows the stall, full close to some', () => {
    const text = fixture('unified-dm-limited/cpu.pressure');
    const p = parsePressure(text)!;
    expectLine(p.some, text, 'some');
    expectLine(p.full, text, 'full');
    expect(p.some.avg60).toBeGreaterThan(0);
    expect(p.full!.totalUs).toBeLessThanOrEqual(p.some.totalUs);
  });

  it('a container set from its three files (dm-multi)', () => {
    const read = (f: string): string => fixture(`unified-dm-multi/${f}`);
    const set = pressureSet(read('cpu.pressure'), read('memory.pressure'), read('io.pressure'))!;
    expectLine(set.cpu!.some, read('cpu.pressure'), 'some');
    expectLine(set.memory!.full, read('memory.pressure'), 'full');
    expectLine(set.io!.some, read('io.pressure'), 'some');
  });
});

describe('parsePressure on the documented format', () => {
  it('a cgroup v2 container under memory pressure', () => {
    const dir = 'v2-documented/memory-pressured';
    for (const f of CGROUP_PRESSURE_FILES) {
      const text = fixture(`${dir}/${f}`);
      const p = parsePressure(text)!;
      expectLine(p.some, text, 'some');
      expectLine(p.full, text, 'full');
    }
  });

  it('host cpu before Linux 5.13 has no full line: full is null, some is kept', () => {
    const text = fixture('v2-documented/cpu-no-full/cpu');
    const p = parsePressure(text)!;
    expectLine(p.some, text, 'some');
    expect(p.full).toBeNull();
  });
});

describe('parsePressure on bad input', () => {
  const good = fixture('host/io');
  const [someLine, fullLine] = good.split('\n');

  it('missing or empty: null', () => {
    expect(parsePressure(undefined)).toBeNull();
    expect(parsePressure('')).toBeNull();
    expect(parsePressure('\n\n')).toBeNull();
  });

  it('a garbled full line keeps some', () => {
    const p = parsePressure(`${someLine}\nfull avg10=x avg60=0.00 avg300=0.00 total=1\n`)!;
    expectLine(p.some, good, 'some');
    expect(p.full).toBeNull();
  });

  it('a garbled some line gives null even with a good full line (no stall share without some)', () => {
    expect(parsePressure(`some avg10=0.00 avg60=0.00 total=1\n${fullLine}\n`)).toBeNull();
  });

  it("averages above 100 %, negative or non-decimal figures are not the kernel's: the line is dropped", () => {
    expect(parsePressure('some avg10=100.01 avg60=0.00 avg300=0.00 total=1\n')).toBeNull();
    expect(parsePressure('some avg10=-1.00 avg60=0.00 avg300=0.00 total=1\n')).toBeNull();
    expect(parsePressure('some avg10=1e2 avg60=0.00 avg300=0.00 total=1\n')).toBeNull();
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0x10\n')).toBeNull();
  });

  it('exactly 100 % and CRLF or tab-separated fields still read', () => {
    expect(parsePressure('some avg10=100.00 avg60=0.00 avg300=0.00 total=5\r\n')!.some.avg10).toBe(100);
    expect(parsePressure('some\tavg10=1.50 avg60=0.00 avg300=0.00 total=5\n')!.some.avg10).toBe(1.5);
  });

  it('pressureSet: one unreadable file is that resource null; none readable is null', () => {
    const set = pressureSet(good, undefined, 'garbage')!;
    expect(set.cpu).not.toBeNull();
    expect(set.memory).toBeNull();
    expect(set.io).toBeNull();
    expect(pressureSet(undefined, '', 'x')).toBeNull();
  });
});
