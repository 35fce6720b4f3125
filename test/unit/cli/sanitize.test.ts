import { describe, expect, it } from 'vitest';
import { sanitizeForTerminal } from '../../../src/cli/sanitize';
import { renderFields, renderTable, truncate, wrap } from '../../../src/cli/table';

// Any byte a terminal would act on rather than print.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('sanitizeForTerminal', () => {
  it('escapes ANSI colour and cursor sequences', () => {
    expect(sanitizeForTerminal('\u001b[31mred\u001b[0m')).toBe('\\e[31mred\\e[0m');
    expect(sanitizeForTerminal('\u001b[2J\u001b[H')).toBe('\\e[2J\\e[H');
  });

  it('escapes an OSC 52 clipboard write and its BEL terminator', () => {
    const out = sanitizeForTerminal('\u001b]52;c;ZWNobyBoaQ==\u0007');
    expect(out).toBe('\\e]52;c;ZWNobyBoaQ==\\x07');
    expect(out).not.toMatch(CONTROL);
  });

  it('escapes newline, carriage return, tab and NUL', () => {
    expect(sanitizeForTerminal('a\nb\rc\td\u0000e')).toBe('a\\nb\\rc\\td\\0e');
  });

  it('escapes DEL, C1 controls (one-byte CSI) and bidi overrides', () => {
    expect(sanitizeForTerminal('x\u007fy')).toBe('x\\x7fy');
    expect(sanitizeForTerminal('\u009b31m')).toBe('\\x9b31m');
    expect(sanitizeForTerminal('abc\u202Etxt.exe')).toBe('abc\\u202etxt.exe');
    expect(sanitizeForTerminal('line\u2028sep')).toBe('line\\u2028sep');
  });

  it('leaves printable text alone, including non-ASCII and backslashes', () => {
    for (const s of ['dm-limited', 'café ✓ 日本', 'C:\\path', 'sh -c sleep 100000', '']) {
      expect(sanitizeForTerminal(s)).toBe(s);
    }
  });
});

describe('renderTable', () => {
  it('aligns columns and right-aligns numbers', () => {
    const out = renderTable(
      [{ header: 'NAME' }, { header: 'PIDS', align: 'right' }],
      [
        ['dm-limited', '1'],
        ['x', '120'],
      ],
    ).split('\n');
    expect(out).toEqual(['NAME        PIDS', 'dm-limited     1', 'x            120']);
  });

  it('sanitizes every cell, so a hostile name cannot break the layout', () => {
    const out = renderTable([{ header: 'NAME' }, { header: 'STATE' }], [['evil\n\u001b[2Jname', 'running']]);
    const lines = out.split('\n');
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('evil\\n\\e[2Jname  running');
    expect(lines[0].indexOf('STATE')).toBe(lines[1].indexOf('running'));
  });

  it('cuts cells at maxWidth with an ellipsis', () => {
    const out = renderTable([{ header: 'CMD', maxWidth: 8 }], [['sleep 100000 extra']]);
    expect(out.split('\n')[1]).toBe('sleep 1…');
    expect(truncate('short', 8)).toBe('short');
  });
});

describe('wrap', () => {
  it('breaks at spaces, and inside words longer than the width', () => {
    expect(wrap('limit 64 MiB (0.7%)', 10)).toEqual(['limit 64', 'MiB (0.7%)']);
    expect(wrap('/var/lib/docker/containers', 10)).toEqual(['/var/lib/d', 'ocker/cont', 'ainers']);
    expect(wrap('short', 10)).toEqual(['short']);
    expect(wrap('', 10)).toEqual(['']);
  });

  it('lays a wrapped cell out on extra lines of the same row', () => {
    const out = renderTable(
      [{ header: 'A' }, { header: 'B', wrapWidth: 8 }, { header: 'C' }],
      [['x', 'one two three', 'y']],
    );
    expect(out.split('\n')).toEqual(['A  B        C', 'x  one two  y', '   three']);
  });
});

describe('renderFields', () => {
  it('aligns values and sanitizes labels and values', () => {
    const out = renderFields([
      ['Name', 'x'],
      ['Long label', 'y\u001b[0m'],
      ['com.evil\u001b[1m', 'z'],
    ]);
    expect(out.split('\n')).toEqual(['Name           x', 'Long label     y\\e[0m', 'com.evil\\e[1m  z']);
  });
});
