// The dashboard's host pressure cards, on the machine's real /proc/pressure files (fixtures/pressure/host).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pressureCards } from '../../../src/core/panels/dashboardTables';
import { pressureSet } from '../../../src/core/parse/pressure';

const read = (f: string): string => readFileSync(new URL(`../fixtures/pressure/host/${f}`, import.meta.url), 'utf8');

describe('pressureCards', () => {
  it('some avg60 of cpu, memory and io, the other figures in the hover', () => {
    // host/cpu: some avg10=53.05 avg60=54.59 avg300=60.43; full avg60=0.00.
    const cards = pressureCards(pressureSet(read('cpu'), read('memory'), read('io')));
    expect(cards.map((c) => [c.label, c.value])).toEqual([
      ['CPU pressure', '54.6%'],
      ['Memory pressure', '0.0%'],
      ['I/O pressure', '0.0%'],
    ]);
    expect(cards[0].title).toContain('avg10 53.05%');
    expect(cards[0].title).toContain('avg300 60.43%');
    expect(cards[0].title).toContain('(full) 0.00%');
  });

  it('a resource that did not read, and a host without PSI, show a dash and say why', () => {
    const [, memory] = pressureCards(pressureSet(read('cpu'), undefined, read('io')));
    expect(memory.value).toBe('-');
    expect(memory.title).toMatch(/could not be read/);
    const none = pressureCards(null);
    expect(none).toHaveLength(1);
    expect(none[0].title).toMatch(/no \/proc\/pressure/);
  });
});
