// Password and passphrase prompts on the terminal, without echo. Only ever used when stdin is a TTY:
// a script piping into the CLI gets a clean authentication failure instead of a hang.
import type { ReadStream } from 'node:tty';
import { createInterface } from 'node:readline';
import { MonitorError } from '../core/errors';
import { sanitizeForTerminal } from './sanitize';

export type KeyOutcome = 'more' | 'enter' | 'cancel' | 'eof';

/**
 * Applies typed (or pasted) characters to what was entered so far: Enter ends, Ctrl-C cancels, Ctrl-D on an empty
 * line is end of input, Backspace and Ctrl-U edit, other control characters and escape sequences (arrow keys) are dropped.
 */
export function applyKeys(entered: string, chunk: string): { entered: string; outcome: KeyOutcome } {
  let text = entered;
  for (let i = 0; i < chunk.length; i++) {
    const ch = chunk[i];
    if (ch === '\r' || ch === '\n') return { entered: text, outcome: 'enter' };
    if (ch === '\u0003') return { entered: '', outcome: 'cancel' };
    if (ch === '\u0004') return text === '' ? { entered: '', outcome: 'eof' } : { entered: text, outcome: 'enter' };
    if (ch === '\u007f' || ch === '\b') {
      text = [...text].slice(0, -1).join('');
    } else if (ch === '\u0015') {
      text = '';
    } else if (ch === '\u001b') {
      // CSI (ESC [ ... final byte) or SS3 (ESC O x): skip the whole sequence.
      if (chunk[i + 1] === '[') {
        i += 2;
        while (i < chunk.length && !/[\u0040-\u007e]/.test(chunk[i])) i++;
      } else if (chunk[i + 1] === 'O') {
        i += 2;
      } else {
        i += 1;
      }
    } else if (ch >= ' ') {
      text += ch;
    }
  }
  return { entered: text, outcome: 'more' };
}

/** Writes `prompt` to `output` and reads a line from the TTY `input` without echo; undefined on Ctrl-D. */
export function readHidden(
  prompt: string,
  input: ReadStream = process.stdin as ReadStream,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string | undefined> {
  if (!input.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let entered = '';
    const wasRaw = input.isRaw;
    const finish = (result: () => void) => {
      input.removeListener('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      result();
    };
    const onData = (data: Buffer | string) => {
      const step = applyKeys(entered, typeof data === 'string' ? data : data.toString('utf8'));
      entered = step.entered;
      if (step.outcome === 'enter') finish(() => resolve(entered));
      else if (step.outcome === 'eof') finish(() => resolve(undefined));
      else if (step.outcome === 'cancel')
        finish(() => reject(new MonitorError('cancelled at the prompt', 'auth-failed')));
    };
    // Echo goes off before the prompt shows, so that nothing typed in reply to it can be echoed.
    input.setRawMode(true);
    output.write(sanitizeForTerminal(prompt));
    input.on('data', onData);
    input.resume();
  });
}

/** Asks a question on the terminal (with echo) and returns the answer line; undefined at end of input. */
export function readLine(
  prompt: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
    output.write(sanitizeForTerminal(prompt));
  });
}
