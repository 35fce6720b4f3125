// The exposition's escaping, spelling and negotiation, against the texts of the OpenMetrics 1.0 and Prometheus 0.0.4
// specifications (the integration suite has Prometheus itself parse the output: test/integration/serve.test.ts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FamilySet, escapeLabelValue, formatValue, negotiate, render } from '../../../src/core/openmetrics/exposition';

describe('escapeLabelValue', () => {
  it('escapes backslash, double quote and line feed, and nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('{x="y"} 1\r\t\u202e')).toBe('{x=\\"y\\"} 1\r\t\u202e');
  });

  it('makes a lone surrogate U+FFFD (the exposition is UTF-8)', () => {
    expect(escapeLabelValue('a\ud800b\udc00c\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ud83d\ude00');
  });

  it('any string: one line, every quote escaped, and unescaping gives the string back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeLabelValue(s);
        expect(e).not.toMatch(/\n/);
        expect(e).not.toMatch(/(^|[^\\])(\\\\)*"/);
        const back = e.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
        // Node's UTF-8 encoder makes a lone surrogate U+FFFD too.
        expect(back).toBe(Buffer.from(s, 'utf8').toString('utf8'));
      }),
    );
  });
});

describe('render', () => {
  function sample(): FamilySet {
    const set = new FamilySet();
    set.family('dm_target_up', 'gauge', 'Up "or" not \\ here\nnext')([['target', 'a"b']], 1);
    set.family('container_cpu_usage_seconds', 'counter', 'CPU.')([['name', 'x']], 1.5);
    set.family('dm_container', 'info', 'Info.')([['name', 'x']], 1);
    set.family('dm_target_up', 'gauge', 'ignored')([['target', 'c']], 0);
    set.family('dm_unknown', 'gauge', 'left out')([], null);
    return set;
  }

  it('OpenMetrics: counters declared without _total, info families, escaped help, # EOF last', () => {
    expect(render(sample().list(), 'openmetrics')).toBe(
      [
        '# HELP dm_target_up Up \\"or\\" not \\\\ here\\nnext',
        '# TYPE dm_target_up gauge',
        'dm_target_up{target="a\\"b"} 1',
        'dm_target_up{target="c"} 0',
        '# HELP container_cpu_usage_seconds CPU.',
        '# TYPE container_cpu_usage_seconds counter',
        'container_cpu_usage_seconds_total{name="x"} 1.5',
        '# HELP dm_container Info.',
        '# TYPE dm_container info',
        'dm_container_info{name="x"} 1',
        '# HELP dm_unknown left out',
        '# TYPE dm_unknown gauge',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('Prometheus 0.0.4: counters declared with _total, info as a gauge, quotes in help left alone, no # EOF', () => {
    const text = render(sample().list(), 'prometheus');
    expect(text).toContain('# HELP dm_target_up Up "or" not \\\\ here\\nnext\n');
    expect(text).toContain(
      '# TYPE container_cpu_usage_seconds_total counter\ncontainer_cpu_usage_seconds_total{name="x"} 1.5\n',
    );
    expect(text).toContain('# TYPE dm_container_info gauge\ndm_container_info{name="x"} 1\n');
    expect(text).not.toContain('# EOF');
  });

  it('refuses a family declared twice with two types, and bad names', () => {
    const set = new FamilySet();
    set.family('a', 'gauge', 'x');
    expect(() => set.family('a', 'counter', 'x')).toThrow(/declared as gauge and counter/);
    expect(() => set.family('1a', 'gauge', 'x')).toThrow(/bad metric name/);
    const add = set.family('b', 'gauge', 'x');
    add([['bad-label', 'v']], 1);
    expect(() => render(set.list(), 'prometheus')).toThrow(/bad label name/);
  });
});

describe('formatValue', () => {
  it('spells the special values as both formats do', () => {
    expect([Infinity, -Infinity, NaN, 0, 1e21, 0.1].map(formatValue)).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0',
      '1e+21',
      '0.1',
    ]);
  });
});

describe('negotiate', () => {
  it("OpenMetrics when the Accept header names it (Prometheus' own header), else the text format", () => {
    expect(
      negotiate(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
    expect(negotiate('text/plain;version=0.0.4')).toBe('prometheus');
    expect(negotiate(undefined)).toBe('prometheus');
    expect(negotiate('*/*')).toBe('prometheus');
    expect(negotiate('application/openmetrics-text; q=0')).toBe('prometheus');
  });
});
