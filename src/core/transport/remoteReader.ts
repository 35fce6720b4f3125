// Starting a remote reader (perlReader.ts) on a fresh channel: send the program, wait until it says it runs.
// A target without the interpreter fails here, before any refresh depends on it, and the caller falls back
// to the sh batch script.
import type { ShellChannel } from './batchSession';
import { MonitorError } from '../errors';

const HELLO = /\0DM-READER-1 ([0-9]+)\0/;
/** Bytes of a login shell's rc-file chatter we look through for the greeting before giving up. */
const MAX_PREAMBLE = 64 * 1024;

/**
 * Writes `program` (length-prefixed, as PERL_BOOT reads it) and resolves with the reader's PID once it greets.
 * Rejects with code 'not-found' when the interpreter is missing (exit 127: the shell's "command not found"),
 * otherwise 'internal'; the channel is closed then.
 */
export function startReader(channel: ShellChannel, program: string, name: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let stderr = '';
    let settled = false;
    const finish = (error: MonitorError | null, pid = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.stdout.off('data', onData);
      channel.stderr.off('data', onErr);
      if (error) {
        channel.close();
        reject(error);
      } else resolve(pid);
    };
    const onData = (d: Buffer): void => {
      seen = (seen + d.toString('latin1')).slice(-MAX_PREAMBLE);
      const m = HELLO.exec(seen);
      if (m) finish(null, Number(m[1]));
    };
    const onErr = (d: Buffer): void => {
      stderr = (stderr + d.toString('utf8')).slice(-500);
    };
    const timer = setTimeout(
      () => finish(new MonitorError(`the ${name} reader did not start within ${timeoutMs} ms`, 'timeout')),
      timeoutMs,
    );
    channel.stdout.on('data', onData);
    channel.stderr.on('data', onErr);
    channel.onEnd((reason) => {
      const why = stderr.trim().split('\n').pop()?.slice(0, 200) || reason;
      finish(
        new MonitorError(`${name} did not start (${why})`, /exit code 127\b/.test(reason) ? 'not-found' : 'internal'),
      );
    });
    // EPIPE on stdin means the program already exited: its end, with its stderr, says why.
    channel.stdin.on('error', () => undefined);
    for (const s of [channel.stdout, channel.stderr])
      s.on('error', (e: Error) => finish(new MonitorError(`${name} did not start (${e.message})`, 'internal')));
    channel.stdin.write(`${Buffer.byteLength(program, 'utf8')}\n${program}`);
  });
}
