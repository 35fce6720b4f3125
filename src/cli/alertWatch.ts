// `watch --alerts`: one AlertEngine fed by the collector's Docker event stream (as events come) and a light refresh
// every interval (the sustained rules); one line per alert start and end. A lost connection is reported to the engine
// (the target-unreachable rule) and opened again at the next refresh, so that a watch outlives a reboot of the host.
import { AlertEngine } from '../core/alerts/engine';
import type { Alert, AlertTransition } from '../core/alerts/types';
import type { Collector } from '../core/collect/collector';
import { ROW_DEMAND } from '../core/collect/demand';
import { MonitorError } from '../core/errors';
import { toJsonLine } from '../core/json';
import { refreshDeadlineMs } from '../core/targets/refreshInterval';
import type { AlertWatchOptions } from './args';
import { EXIT_ALERT } from './alertArgs';
import { errorLine } from './errors';
import { sanitizeForTerminal } from './sanitize';
import { NoAnswer, STOPPED, StopSignal, nextTickDelay, withDeadline } from './watch';
import type { WatchIo } from './watch';

/** One alert line for people: time, START/END, severity, rule, the message (target text escaped). */
export function alertLine(t: AlertTransition): string {
  const a = t.alert;
  const immediate = t.type === 'start' && a.endedAt === a.startedAt;
  const when = t.type === 'end' ? a.endedAt! : a.startedAt;
  const word = immediate ? 'ALERT' : t.type === 'start' ? 'START' : 'END  ';
  return sanitizeForTerminal(`${when} ${word} ${a.severity.padEnd(8)} ${a.rule.padEnd(20)} ${a.message}`);
}

/** The NDJSON form: the Alert object with `type` first. */
function alertJson(t: AlertTransition): { type: AlertTransition['type'] } & Alert {
  return { type: t.type, ...t.alert };
}

/**
 * Runs until SIGINT/SIGTERM (status 0) or, with exitOnAlert, the first alert that starts (EXIT_ALERT). `connect`
 * opens a connection: at the start (its failure ends the watch, as a monitor call's would) and again after one
 * is lost (its failures then count towards target-unreachable).
 */
export async function watchAlerts(
  connect: () => Promise<Collector>,
  options: AlertWatchOptions,
  io: WatchIo,
): Promise<number> {
  const intervalMs = options.intervalSeconds * 1000;
  const deadlineMs = refreshDeadlineMs(intervalMs);
  const stop = new StopSignal(io);
  let alerted: () => void = () => undefined;
  const firstAlert = new Promise<typeof STOPPED>((resolve) => (alerted = () => resolve(STOPPED)));
  let exitCode = 0;
  const emit = (transitions: AlertTransition[]) => {
    // A whole batch is printed, even past the first start: alerts that crossed together are reported together.
    for (const t of transitions) io.stdout(`${options.json ? toJsonLine(alertJson(t)) : alertLine(t)}\n`);
    if (options.exitOnAlert && exitCode === 0 && transitions.some((t) => t.type === 'start')) {
      exitCode = EXIT_ALERT;
      alerted();
    }
  };
  const race = <T>(work: Promise<T>) => Promise.race([stop.race(work), firstAlert]);

  // Ctrl-C while the first connection is still being opened (an SSH host that does not answer) ends at once too.
  const first = await stop.race(connect()).catch((err: unknown) => {
    stop.dispose();
    throw err;
  });
  if (first === STOPPED) {
    stop.dispose();
    return 0;
  }
  let collector: Collector | null = first;
  const engine = new AlertEngine({
    targetId: options.targetText,
    targetName: collector.transport.label,
    settings: options.settings,
  });
  const stream: { ac: AbortController | null } = { ac: null };
  let lastEventsError = '';
  /** Follows the collector's event stream until it is lost; followed again after the next refresh. */
  const follow = (c: Collector) => {
    if (stream.ac) return;
    const ac = new AbortController();
    stream.ac = ac;
    c.followDockerEvents((e) => emit(engine.onEvent(e, Date.now())), ac.signal).catch((err: unknown) => {
      if (stream.ac === ac) stream.ac = null;
      const line = errorLine(new MonitorError(`Docker events: ${messageOf(err)}`));
      // Said once per cause: while the daemon is down, every refresh would find the stream down again.
      if (!ac.signal.aborted && line !== lastEventsError) io.stderr(`${line}\n`);
      lastEventsError = line;
    });
  };
  const drop = async () => {
    stream.ac?.abort();
    stream.ac = null;
    const c = collector;
    collector = null;
    await c?.close().catch(() => undefined);
  };

  try {
    let started = performance.now();
    let cold = true;
    for (;;) {
      try {
        if (!collector) {
          const c = await race(connect());
          if (c === STOPPED) break;
          collector = c;
        }
        // Subscribed before the refresh: the describer opens its stream inside it, replaying the seconds before.
        follow(collector);
        const s = await race(
          withDeadline(
            collector.sample({ demand: ROW_DEMAND }),
            deadlineMs * (cold ? 3 : 1),
            collector.transport.label,
          ),
        );
        if (s === STOPPED) break;
        cold = false;
        emit(engine.onSnapshot(s));
        if (!s.docker.reachable && stream.ac) {
          // The daemon is down: the stream failed with it; follow again once a refresh reaches it.
          stream.ac.abort();
          stream.ac = null;
        }
      } catch (err) {
        emit(engine.onTargetStatus(false, messageOf(err), Date.now()));
        io.stderr(`${errorLine(err)}\n`);
        if (err instanceof NoAnswer || (err instanceof MonitorError && ['unreachable', 'timeout'].includes(err.code))) {
          await drop();
          cold = true;
        }
      }
      if (exitCode !== 0) break;
      const slept = await Promise.race([stop.sleep(nextTickDelay(started, performance.now(), intervalMs)), firstAlert]);
      if (slept === STOPPED) break;
      started = performance.now();
    }
    return exitCode;
  } finally {
    stop.dispose();
    await drop();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
