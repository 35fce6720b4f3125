import { describe, expect, it } from 'vitest';
import { applyKeys } from '../../../src/cli/prompt';

describe('applyKeys (the no-echo prompt line editor)', () => {
  it('collects characters until Enter', () => {
    expect(applyKeys('', 'sec')).toEqual({ entered: 'sec', outcome: 'more' });
    expect(applyKeys('sec', 'ret\r')).toEqual({ entered: 'secret', outcome: 'enter' });
    expect(applyKeys('', 'pasted\n')).toEqual({ entered: 'pasted', outcome: 'enter' });
  });

  it('edits with Backspace/DEL and Ctrl-U', () => {
    expect(applyKeys('abc', '\u007f')).toEqual({ entered: 'ab', outcome: 'more' });
    expect(applyKeys('abc', '\b\bX')).toEqual({ entered: 'aX', outcome: 'more' });
    expect(applyKeys('', '\u007f')).toEqual({ entered: '', outcome: 'more' });
    expect(applyKeys('abc', '\u0015d')).toEqual({ entered: 'd', outcome: 'more' });
    expect(applyKeys('pé', '\u007f')).toEqual({ entered: 'p', outcome: 'more' });
  });

  it('cancels on Ctrl-C and forgets what was typed', () => {
    expect(applyKeys('half', '\u0003')).toEqual({ entered: '', outcome: 'cancel' });
  });

  it('treats Ctrl-D as end of input on an empty line, as Enter otherwise', () => {
    expect(applyKeys('', '\u0004')).toEqual({ entered: '', outcome: 'eof' });
    expect(applyKeys('pw', '\u0004')).toEqual({ entered: 'pw', outcome: 'enter' });
  });

  it('drops arrow keys and other escape sequences and control characters', () => {
    expect(applyKeys('a', '\u001b[D\u001b[1;5Cb\u001bOAc\u0001')).toEqual({ entered: 'abc', outcome: 'more' });
  });
});
