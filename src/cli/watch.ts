// --watch: one Collector, so one connection, sampled every interval until --count snapshots or SIGINT/SIGTERM.
// Each snapshot is one NDJSON line with --json, a frame redrawn in place on a terminal, else a table and a blank line.
import type { Snapshot } from '../core/model';
import { MonitorError } from '../core/errors';
import type { Collector } from '../core/collect/collector';
import { findContainer } from '../core/analyze/correlate';
import type { MonitorCommand, MonitorOptions } from './args';
import { errorLine } from './errors';
import { toJsonLine } from '../core/json';
import { shortId } from '../core/identity';
import { fitToTerminal, redraw } from './terminalFrame';
import { DEFAULT_COLUMNS, notFound, viewOf, warningLines } from './views';
import { refreshDeadlineMs } from '../core/targets/refreshInterval';
import type { View } from './views';

export interface WatchIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Present when stdout is a terminal: frames are then redrawn in place. */
  terminalSize?: (() => { columns: number; rows: number }) | undefined;
  onStopSignal?: (listener: () => void) => () => void;
}

/** 'some-failed': at least one snapshot could not be taken (each was reported on stderr). */
export type WatchOutcome = 'ok' | 'some-failed';

export const STOPPED = Symbol('stopped');

/** The first SIGINT or SIGTERM, as something a sleep or a sample can be raced against. */
export class StopSignal {
  readonly stopped: Promise<typeof STOPPED>;
  readonly dispose: () => void;

  constructor(io: Pick<WatchIo, 'onStopSignal'>) {
    let fire: () => void = () => undefined;
    this.stopped = new Promise((resolve) => (fire = () => resolve(STOPPED)));
    this.dispose = io.onStopSignal?.(() => fire()) ?? (() => undefined);
  }

  /** A sample in flight is abandoned, not awaited: closing the transport afterwards ends it. */
  race<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    return Promise.race([work, this.stopped]);
  }

  async sleep(ms: number): Promise<typeof STOPPED | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
    try {
      return await Promise.race([slept, this.stopped]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** When the next tick starts: an interval after the last one started, or now if that sample took longer. */
export function nextTickDelay(lastStartMs: number, nowMs: number, intervalMs: number): number {
  return Math.max(0, lastStartMs + intervalMs - nowMs);
}

interface Subject {
  command: MonitorCommand;
  /** What is gone from `s`, for the message; null while it is there. */
  gone(s: Snapshot): string | null;
}

/**
 * Follows the container or process of the first snapshot by identity (container id; PID and start time), so that
 * a new container under the same name or a reused PID is reported as the watched one gone, not shown in its place.
 */
function follow(command: MonitorCommand, first: Snapshot): Subject {
  switch (command.kind) {
    case 'container': {
      const c = findContainer(first, command.ref);
      if (!c) throw notFound(`container ${JSON.stringify(command.ref)}`, first.target);
      const what = `container ${JSON.stringify(c.name || shortId(c.id))} (${shortId(c.id)})`;
      return {
        command: { kind: 'container', ref: c.id },
        gone: (s) => (s.containers.some((x) => x.id === c.id) ? null : what),
      };
    }
    case 'process': {
      const p = first.processes.find((x) => x.pid === command.pid);
      if (!p) throw notFound(`process with PID ${command.pid}`, first.target);
      const what = `process ${p.pid} (${JSON.stringify(p.name)})`;
      return {
        command,
        gone: (s) => (s.processes.some((x) => x.pid === p.pid && x.startTime === p.startTime) ? null : what),
      };
    }
    default:
      return { command, gone: () => null };
  }
}

/** Prints one view the way the output wants it. Warnings go to stderr once per distinct text, not every tick. */
function printerFor(options: MonitorOptions, io: WatchIo): (view: View) => void {
  const warned = new Set<string>();
  const warnOnce = (warnings: string[]) => {
    const fresh = warnings.filter((w) => !warned.has(w));
    for (const w of fresh) warned.add(w);
    for (const line of warningLines(fresh)) io.stderr(`${line}\n`);
  };
  if (options.json) {
    return (view) => {
      io.stdout(`${toJsonLine(view.json)}\n`);
      if (!view.jsonHasWarnings) warnOnce(view.warnings);
    };
  }
  const terminalSize = io.terminalSize;
  if (terminalSize) {
    // Warnings join the frame, at its top where a cut does not reach: on stderr the next redraw would wipe them.
    return (view) => {
      const { columns, rows } = terminalSize();
      const warnings = warningLines(view.warnings);
      const text = warnings.length > 0 ? `${warnings.join('\n')}\n\n${view.text()}` : view.text();
      io.stdout(redraw(fitToTerminal(text, columns, rows)));
    };
  }
  return (view) => {
    io.stdout(`${view.text()}\n\n`);
    warnOnce(view.warnings);
  };
}

/** A sample past its deadline: told apart from the transport's own timeouts, which a watch survives. */
export class NoAnswer extends MonitorError {}

/**
 * `sample` with a deadline: a target that stops answering (a stopped reader, a blackholed link) ends the watch
 * with one line instead of holding it until the transport's own timeout, or forever.
 */
export async function withDeadline(sample: Promise<Snapshot>, ms: number, target: string): Promise<Snapshot> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NoAnswer(`${target} did not answer within ${Math.round(ms / 100) / 10} s`, 'timeout')),
      ms,
    );
  });
  try {
    return await Promise.race([sample, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the watch. Throws (ending it with status 1) when the watched container or process is gone, or the connection
 * is lost or stops answering within `deadlineMs` (the session's rule: 5 intervals, 15 s to 2 min; three times that
 * for the cold first sample): nothing reconnects. Any other failed snapshot is one line on stderr, and the watch
 * goes on.
 */
export async function watch(
  collector: Collector,
  command: MonitorCommand,
  options: MonitorOptions,
  io: WatchIo,
  deadlineMs: number = refreshDeadlineMs(options.intervalSeconds * 1000),
): Promise<WatchOutcome> {
  const intervalMs = options.intervalSeconds * 1000;
  const sample = (ms: number): Promise<Snapshot> => withDeadline(collector.sample(), ms, collector.transport.label);
  const stop = new StopSignal(io);
  const print = printerFor(options, io);
  let failed = false;
  try {
    // A warm-up sample: the first snapshot printed then has rates, and a wrong container name fails at once.
    let started = performance.now();
    const first = await stop.race(sample(deadlineMs * 3));
    if (first === STOPPED) return 'ok';
    const subject = follow(command, first);
    // Failed ticks count too, so that --count always ends.
    for (let tick = 0; options.count === null || tick < options.count; tick++) {
      if ((await stop.sleep(nextTickDelay(started, performance.now(), intervalMs))) === STOPPED) break;
      started = performance.now();
      let s: Snapshot | typeof STOPPED;
      try {
        s = await stop.race(sample(deadlineMs));
      } catch (err) {
        if (err instanceof NoAnswer || (err instanceof MonitorError && err.code === 'unreachable')) throw err;
        failed = true;
        io.stderr(`${errorLine(err)}\n`);
        continue;
      }
      if (s === STOPPED) break;
      const gone = subject.gone(s);
      if (gone) throw new MonitorError(`${gone} is gone from ${s.target}`, 'not-found');
      print(viewOf(s, subject.command, io.terminalSize?.().columns ?? DEFAULT_COLUMNS));
    }
    return failed ? 'some-failed' : 'ok';
  } finally {
    stop.dispose();
  }
}
