// The CLI's work, given argv and where to write: parse, connect, sample, print. Returns the exit status and never
// throws, so that main.ts only wires it to the process.
import { MonitorError } from '../core/errors';
import type { Transport } from '../core/transport/types';
import { openTransport } from '../core/transport/target';
import type { HostKeyInfo, OpenOptions } from '../core/transport/target';
import { Collector } from '../core/collect/collector';
import { parseCliArgs, USAGE } from './args';
import type { MonitorCommand, MonitorOptions } from './args';
import { sanitizeForTerminal } from './sanitize';
import { errorLine } from './errors';
import { toJson } from '../core/json';
import { DEFAULT_COLUMNS, needsRates, viewOf, warningLines } from './views';
import { watch } from './watch';
import { watchAlerts } from './alertWatch';
import { serve } from './serve';
import { serveTargets } from './serveTargets';
import { version } from '../../package.json';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Prompts are offered only on a terminal. */
  stdinIsTty: boolean;
  /** Reads a secret without echo. */
  askHidden(prompt: string): Promise<string | undefined>;
  /** Reads an answer line (with echo). */
  askLine(prompt: string): Promise<string | undefined>;
  env: Record<string, string | undefined>;
  /** Terminal width, when stdout is a terminal. */
  columns?: number | undefined;
  /** Read afresh for each --watch redraw (the terminal may be resized); absent when stdout is not a terminal. */
  terminalSize?: (() => { columns: number; rows: number }) | undefined;
  /** Calls `listener` on SIGINT or SIGTERM until the returned function is called (--watch stops on them). */
  onStopSignal?: (listener: () => void) => () => void;
}

const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

export function exitCodeFor(err: unknown): number {
  return err instanceof MonitorError && err.code === 'bad-argument' ? EXIT_USAGE : EXIT_FAILURE;
}

/** One snapshot, printed once. */
async function oneShot(
  collector: Collector,
  command: MonitorCommand,
  options: MonitorOptions,
  io: CliIo,
): Promise<number> {
  // A process's sockets and open files are what `monitor process` is asked for: read them at the printed sample.
  const full = command.kind === 'process';
  const s = needsRates(command)
    ? await collector.sampleWithRates(Math.round(options.intervalSeconds * 1000), { full })
    : await collector.sample({ full });
  const view = viewOf(s, command, io.columns ?? DEFAULT_COLUMNS);
  io.stdout(`${options.json ? toJson(view.json) : view.text()}\n`);
  if (!(options.json && view.jsonHasWarnings)) for (const line of warningLines(view.warnings)) io.stderr(`${line}\n`);
  return EXIT_OK;
}

/** The question OpenSSH asks about a host key seen for the first time; only "yes" accepts it. */
export async function confirmHostKey(io: CliIo, info: HostKeyInfo): Promise<boolean> {
  const where = info.port === 22 ? info.host : `[${info.host}]:${info.port}`;
  io.stderr(
    `The authenticity of host ${sanitizeForTerminal(where)} can't be established.\n` +
      `${sanitizeForTerminal(info.keyType)} key fingerprint is ${sanitizeForTerminal(info.fingerprint)}.\n`,
  );
  for (;;) {
    const answer = (await io.askLine('Are you sure you want to continue connecting (yes/no)? '))?.trim().toLowerCase();
    if (answer === undefined || answer === 'no') return false;
    if (answer === 'yes') return true;
    io.stderr('Please type "yes" or "no".\n');
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = io.env.DOCKER_MONITOR_DEBUG === '1';
  const log = (line: string) => {
    if (debug) io.stderr(`docker-monitor: debug: ${sanitizeForTerminal(line)}\n`);
  };
  let transport: Transport | null = null;
  let collector: Collector | null = null;
  try {
    const request = parseCliArgs(argv);
    if (request.action === 'help') {
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    }
    if (request.action === 'version') {
      io.stdout(`${version}\n`);
      return EXIT_OK;
    }
    if (request.action === 'serve') return await serve(request.options, io, serveTargets(request.options));
    const { options } = request;
    const openOptions: OpenOptions = { acceptNewHostKey: options.acceptNewHostKey, log };
    if (io.stdinIsTty) {
      openOptions.askPassword = (prompt) => io.askHidden(prompt);
      openOptions.askPassphrase = (keyPath) => io.askHidden(`Passphrase for ${keyPath}: `);
      openOptions.confirmHostKey = (info) => confirmHostKey(io, info);
    }
    if (request.action === 'alerts') {
      // The watch opens (and after a loss reopens) its own connections, and closes them.
      const connect = async () =>
        new Collector(await openTransport(options.target, openOptions), { log, socketPath: options.dockerSocket });
      return await watchAlerts(connect, request.options, io);
    }
    const { command, options: monitor } = request;
    transport = await openTransport(monitor.target, openOptions);
    collector = new Collector(transport, { log, socketPath: monitor.dockerSocket });
    if (!monitor.watch) return await oneShot(collector, command, monitor, io);
    return (await watch(collector, command, monitor, io)) === 'ok' ? EXIT_OK : EXIT_FAILURE;
  } catch (err) {
    io.stderr(`${errorLine(err)}\n`);
    if (debug && !(err instanceof MonitorError) && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return exitCodeFor(err);
  } finally {
    // A failed close must not replace the result or the error already reported.
    // The collector owns the transport once it exists.
    const closing = collector ? collector.close() : transport?.close();
    await closing?.catch((err: unknown) => log(`close: ${err instanceof Error ? err.message : String(err)}`));
  }
}
