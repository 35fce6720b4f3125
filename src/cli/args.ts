// Command-line parsing. Everything the user typed is validated here, before any connection is opened.
import { plainDecimal } from './decimal';
import { validateContainerRef, validatePid } from '../core/validate';
import { parseTarget } from '../core/transport/target';
import type { TargetSpec } from '../core/transport/target';
import { ALERTS_USAGE, alertSettingsFromFlags, DEFAULT_ALERT_INTERVAL_SECONDS, EXIT_ALERT } from './alertArgs';
import type { AlertFlags } from './alertArgs';
import { quoted, usageError } from './usageError';
import type { AlertSettings } from '../core/alerts/types';
import { parseServeArgs, SERVE_USAGE } from './serveArgs';
import type { ServeOptions } from './serveArgs';

export type MonitorCommand =
  | { kind: 'host' }
  | { kind: 'all' }
  | { kind: 'gap' }
  | { kind: 'process'; pid: number }
  | { kind: 'container'; ref: string }
  | { kind: 'correlation'; ref: string };

export interface MonitorOptions {
  /** As typed (or `local`), for messages. */
  targetText: string;
  target: TargetSpec;
  json: boolean;
  /** Time between the two samples that rates are computed from; with --watch also between snapshots. */
  intervalSeconds: number;
  acceptNewHostKey: boolean;
  /** Print a snapshot every interval until `count` snapshots or a signal. */
  watch: boolean;
  /** With --watch: how many snapshots to print; null until stopped. */
  count: number | null;
  /** The Docker Engine socket on the target (absent: /var/run/docker.sock). */
  dockerSocket?: string;
}

/** `watch --alerts`: the connection options of a monitor call, the rules' settings, and what ends it. */
export interface AlertWatchOptions extends Pick<MonitorOptions, 'targetText' | 'target' | 'json' | 'acceptNewHostKey'> {
  /** Seconds between refreshes (the sustained rules' evaluations); events are followed as they come. */
  intervalSeconds: number;
  /** End with EXIT_ALERT at the first alert that starts. */
  exitOnAlert: boolean;
  settings: AlertSettings;
  dockerSocket?: string;
}

export type CliRequest =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'monitor'; command: MonitorCommand; options: MonitorOptions }
  | { action: 'alerts'; options: AlertWatchOptions }
  | { action: 'serve'; options: ServeOptions };

const DEFAULT_INTERVAL_SECONDS = 1;
const MAX_INTERVAL_SECONDS = 60;
/** A one-shot call waits the interval before it prints, a watch waits it between snapshots: it may be longer. */
const MAX_WATCH_INTERVAL_SECONDS = 3600;
/** Gap and correlation are reports on configuration and identities, not readings that change tick to tick. */
const WATCHABLE = ['host', 'all', 'container', 'process'] as const;

export const USAGE = `Usage: docker-monitor monitor <what> [options]
       docker-monitor watch --alerts [options]
       docker-monitor serve [options]

What:
  host                          the host: CPU, memory, disks, interfaces, container counts
  all                           host, containers and processes
  container <id|name|prefix>    one container: limits, throttling, namespaces, paths, processes
  process <PID>                 one process (host PID): resources, namespaces, sockets
  correlation <id|name>         how a container's process, the container and the host relate
  gap                           what differs between the process, container and host levels

Options:
  --target <t>       local (default), an ~/.ssh/config alias, or user@host[:port]
  --json             print the JSON contract instead of tables
  --interval <s>     seconds between the two samples rates come from, and between --watch snapshots
                     (default ${DEFAULT_INTERVAL_SECONDS}; at most ${MAX_INTERVAL_SECONDS}, or ${MAX_WATCH_INTERVAL_SECONDS} with --watch)
  --watch            print a snapshot every interval until Ctrl-C: one JSON object a line with --json,
                     a table redrawn in place on a terminal (${WATCHABLE.join(', ')})
  --count <n>        with --watch: stop after n snapshots
  --docker-socket <path>
                     the Docker Engine socket on the target (default /var/run/docker.sock)
  --accept-new-host-key
                     trust and remember the host key of an SSH target seen for the first time
  -h, --help         show this help
  --version          show the version

${ALERTS_USAGE}

${SERVE_USAGE}

Exit status: 0 on success, 2 for a usage error, 1 for any other error (with --watch: a snapshot failed,
or the watched container or process is gone), ${EXIT_ALERT} when watch --alerts --exit-on-alert saw an alert start.
Ctrl-C ends a watch with status 0.
Set DOCKER_MONITOR_DEBUG=1 to print the stack of unexpected errors and the connection log.`;

const WHATS = ['host', 'all', 'gap', 'process', 'container', 'correlation'] as const;

export function parseInterval(text: string, max: number = MAX_INTERVAL_SECONDS): number {
  const seconds = plainDecimal(text);
  if (seconds !== null && seconds > 0 && seconds <= max) return seconds;
  throw usageError(`invalid --interval ${quoted(text)}: seconds, more than 0 and at most ${max}`);
}

/** An absolute path without control characters, short enough for a unix socket address (107 bytes). */
function parseSocketPath(text: string): string {
  if (text.startsWith('/') && !/[\u0000-\u001f\u007f]/.test(text) && Buffer.byteLength(text, 'utf8') <= 107)
    return text;
  throw usageError(`invalid --docker-socket ${quoted(text)}: an absolute path to a unix socket, at most 107 bytes`);
}

export function parseCount(text: string): number {
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count >= 1 && Number.isSafeInteger(count)) return count;
  }
  throw usageError(`invalid --count ${quoted(text)}: a whole number of snapshots, at least 1`);
}

/** An option is `--word` or `-letter`; "-1" is left as a positional so that `process -1` says "invalid PID". */
function isOption(token: string): boolean {
  return /^--[^-]/.test(token) || /^-[a-zA-Z]/.test(token);
}

/** Parses argv (without node and the script). Throws MonitorError('bad-argument') on any usage error. */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  // serve has options of its own; --help and --version still win.
  if (argv[0] === 'serve') {
    const rest = argv.slice(1);
    if (rest.includes('--help') || rest.includes('-h')) return { action: 'help' };
    if (rest.includes('--version')) return { action: 'version' };
    return { action: 'serve', options: parseServeArgs(rest) };
  }
  const positionals: string[] = [];
  let targetText: string | undefined;
  let intervalText: string | undefined;
  let countText: string | undefined;
  let socketText: string | undefined;
  let json = false;
  let watch = false;
  let acceptNewHostKey = false;
  let help = false;
  let version = false;
  const alertFlags: AlertFlags = { alerts: false, exitOnAlert: false, thresholds: [], off: [] };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isOption(token)) {
      positionals.push(token);
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq >= 0 ? token.slice(0, eq) : token;
    const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || isOption(next)) throw usageError(`${name} needs a value`);
      i++;
      return next;
    };
    const flag = () => {
      if (inline !== undefined) throw usageError(`${name} takes no value`);
      return true;
    };
    switch (name) {
      case '-h':
      case '--help':
        help = flag();
        break;
      case '--version':
        version = flag();
        break;
      case '--json':
        json = flag();
        break;
      case '--accept-new-host-key':
        acceptNewHostKey = flag();
        break;
      case '--watch':
        watch = flag();
        break;
      case '--target':
        if (targetText !== undefined) throw usageError('--target given twice');
        targetText = value();
        break;
      case '--interval':
        if (intervalText !== undefined) throw usageError('--interval given twice');
        intervalText = value();
        break;
      case '--docker-socket':
        if (socketText !== undefined) throw usageError('--docker-socket given twice');
        socketText = value();
        break;
      case '--alerts':
        alertFlags.alerts = flag();
        break;
      case '--exit-on-alert':
        alertFlags.exitOnAlert = flag();
        break;
      case '--alert-window':
        if (alertFlags.window !== undefined) throw usageError('--alert-window given twice');
        alertFlags.window = value();
        break;
      case '--alert-threshold':
        alertFlags.thresholds.push(value());
        break;
      case '--alert-off':
        alertFlags.off.push(value());
        break;
      case '--count':
        if (countText !== undefined) throw usageError('--count given twice');
        countText = value();
        break;
      default:
        throw usageError(`unknown option ${quoted(name)}`);
    }
  }

  // --help and --version win over everything else, as users expect.
  if (help) return { action: 'help' };
  if (version) return { action: 'version' };

  const [verb, what, arg, ...extra] = positionals;
  if (verb === undefined) throw usageError('missing command');
  const text = targetText ?? 'local';
  const socket = socketText === undefined ? {} : { dockerSocket: parseSocketPath(socketText) };
  const usedAlertFlags = alertFlags.alerts || alertFlags.exitOnAlert || alertFlags.window !== undefined;
  if (verb === 'watch') {
    if (what !== undefined) throw usageError(`unexpected argument ${quoted(what)}`);
    if (!alertFlags.alerts) throw usageError('watch needs --alerts (what it watches for)');
    if (watch || countText !== undefined) throw usageError('watch --alerts runs until stopped: no --watch or --count');
    return {
      action: 'alerts',
      options: {
        targetText: text,
        target: parseTarget(text),
        json,
        acceptNewHostKey,
        intervalSeconds:
          intervalText === undefined
            ? DEFAULT_ALERT_INTERVAL_SECONDS
            : parseInterval(intervalText, MAX_WATCH_INTERVAL_SECONDS),
        exitOnAlert: alertFlags.exitOnAlert,
        settings: alertSettingsFromFlags(alertFlags),
        ...socket,
      },
    };
  }
  if (verb !== 'monitor') throw usageError(`unknown command ${quoted(verb)}`);
  if (usedAlertFlags || alertFlags.thresholds.length > 0 || alertFlags.off.length > 0)
    throw usageError('--alerts and the --alert-* options go with "watch --alerts"');
  if (what === undefined) throw usageError(`missing what to monitor: one of ${WHATS.join(', ')}`);

  let command: MonitorCommand;
  let used = 2;
  switch (what) {
    case 'host':
    case 'all':
    case 'gap':
      command = { kind: what };
      break;
    case 'process':
      if (arg === undefined) throw usageError('missing PID after "monitor process"');
      command = { kind: 'process', pid: validatePid(arg) };
      used = 3;
      break;
    case 'container':
    case 'correlation':
      if (arg === undefined) throw usageError(`missing container id or name after "monitor ${what}"`);
      command = { kind: what, ref: validateContainerRef(arg) };
      used = 3;
      break;
    default:
      throw usageError(`unknown thing to monitor ${quoted(what)}: one of ${WHATS.join(', ')}`);
  }
  const unexpected = [arg, ...extra].slice(used - 2).filter((t) => t !== undefined);
  if (unexpected.length > 0) throw usageError(`unexpected argument ${quoted(unexpected[0])}`);
  if (watch && !(WATCHABLE as readonly string[]).includes(command.kind)) {
    throw usageError(`--watch works with monitor ${WATCHABLE.join(', ')}, not ${quoted(command.kind)}`);
  }
  if (countText !== undefined && !watch) throw usageError('--count needs --watch');

  return {
    action: 'monitor',
    command,
    options: {
      targetText: text,
      target: parseTarget(text),
      json,
      intervalSeconds:
        intervalText === undefined
          ? DEFAULT_INTERVAL_SECONDS
          : parseInterval(intervalText, watch ? MAX_WATCH_INTERVAL_SECONDS : MAX_INTERVAL_SECONDS),
      acceptNewHostKey,
      watch,
      count: countText === undefined ? null : parseCount(countText),
      ...socket,
    },
  };
}
