// The remote kill timer around a command run with a timeout.
import { shellQuote } from '../../validate';

/**
 * Runs "$@" (with this shell's stdin) and SIGKILLs it after $1 seconds. Needed because sshd does not act on
 * the SSH "signal" request (OpenSSH 9.2 refuses it), and closing the channel leaves the command running.
 * The timer's stdio is detached so that it cannot hold the session open.
 */
const WATCHDOG = [
  't=$1; shift',
  'exec 3<&0',
  '"$@" 0<&3 3<&- &',
  'p=$!',
  'exec 3<&-',
  '( sleep "$t"; kill -9 "$p" ) </dev/null >/dev/null 2>&1 &',
  'w=$!',
  'wait "$p"; s=$?',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

/**
 * `command` (plain shell words, no operators) under the watchdog when `timeoutMs` is set. The remote kill comes a
 * little after the caller's own timer, as cleanup: the caller's timer decides, and reports.
 */
export function withWatchdog(command: string, timeoutMs: number | undefined): string {
  const limited = timeoutMs !== undefined && timeoutMs > 0;
  const seconds = limited ? Math.ceil(timeoutMs / 1000) + 1 : 0;
  return limited ? `sh -c ${shellQuote(WATCHDOG)} sh ${seconds} ${command}` : command;
}
