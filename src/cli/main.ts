// Entry point of dist/cli.js: wires runCli to the process. Whatever escapes (an 'error' event emitted after
// the result, a rejected promise nobody awaited) still ends as one line on stderr, never a stack trace.
import { EXIT_FAILURE, runCli } from './run';
import { errorLine } from './errors';
import { readHidden, readLine } from './prompt';

const debug = process.env.DOCKER_MONITOR_DEBUG === '1';

/** Exits once stdout and stderr have taken everything written, even if a socket is still holding the loop. */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function fatal(err: unknown): void {
  process.stderr.write(`${errorLine(err)}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  exit(EXIT_FAILURE);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
// `docker-monitor ... | head` closes the pipe early: that is not an error worth a message.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else fatal(err);
});

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdinIsTty: process.stdin.isTTY === true,
  askHidden: (prompt) => readHidden(prompt),
  askLine: (prompt) => readLine(prompt),
  env: process.env,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  terminalSize: process.stdout.isTTY
    ? () => ({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 })
    : undefined,
  // `once`: a second Ctrl-C finds no handler and kills the process, should closing the connection hang.
  onStopSignal: (listener) => {
    process.once('SIGINT', listener);
    process.once('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
}).then(exit, fatal);
