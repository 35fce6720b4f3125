// The CLI's work, given argv and where to write: parse, connect, sample, print. Returns the exit status and never
// throws, so that main.ts only wires it to the process.
import type { Snapshot } from '../core/model';
import { MonitorError } from '../core/transport/types';
import type { Transport } from '../core/transport/types';
import { openTransport } from '../core/transport/target';
import type { HostKeyInfo, OpenOptions } from '../core/transport/target';
import { Collector } from '../core/collect/collector';
import { correlate, findContainer } from '../core/analyze/correlate';
import { analyzeGaps } from '../core/analyze/gaps';
import { parseCliArgs, USAGE } from './args';
import type { MonitorCommand, MonitorOptions } from './args';
import { sanitizeForTerminal } from './sanitize';
import { allJson, toJson } from './json';
import { printHost } from './hostPrinter';
import { printContainerDetail, printContainers } from './containerPrinter';
import { printProcessDetail, printProcesses } from './processPrinter';
import { printCorrelation } from './correlationPrinter';
import { printGaps } from './gapPrinter';
import { section } from './table';
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
  columns?: number;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const MAX_WARNINGS_SHOWN = 10;
/** Width to lay out for when stdout is not a terminal. */
const DEFAULT_COLUMNS = 120;

/** One line, whatever the message holds: the contract for every error the CLI prints. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  return `docker-monitor: ${sanitizeForTerminal(message.trim() || 'unknown error')}`;
}

export function exitCodeFor(err: unknown): number {
  return err instanceof MonitorError && err.code === 'bad-argument' ? EXIT_USAGE : EXIT_FAILURE;
}

function notFound(what: string, target: string): MonitorError {
  return new MonitorError(`${what} not found on ${target}`, 'not-found');
}

interface Output {
  text: string;
  /** Warnings to repeat on stderr (not when the JSON already holds them). */
  warnings: string[];
}

async function produce(collector: Collector, command: MonitorCommand, options: MonitorOptions, columns: number): Promise<Output> {
  const intervalMs = Math.round(options.intervalSeconds * 1000);
  const render = (json: unknown, readable: () => string, s: Snapshot): Output => ({
    text: options.json ? toJson(json) : readable(),
    warnings: s.warnings,
  });
  switch (command.kind) {
    case 'host': {
      const s = await collector.sampleWithRates(intervalMs);
      return render(s.host, () => printHost(s), s);
    }
    case 'all': {
      const s = await collector.sampleWithRates(intervalMs);
      if (options.json) return { text: toJson(allJson(s)), warnings: [] };
      const readable = [printHost(s), section('Containers', printContainers(s)), section('Processes', printProcesses(s))].join('\n\n');
      return { text: readable, warnings: s.warnings };
    }
    case 'container': {
      const s = await collector.sampleWithRates(intervalMs);
      const c = findContainer(s, command.ref);
      if (!c) throw notFound(`container ${JSON.stringify(command.ref)}`, s.target);
      return render(c, () => printContainerDetail(s, c), s);
    }
    case 'process': {
      const s = await collector.sampleWithRates(intervalMs);
      const p = s.processes.find((x) => x.pid === command.pid);
      if (!p) throw notFound(`process with PID ${command.pid}`, s.target);
      return render(p, () => printProcessDetail(s, p), s);
    }
    case 'correlation': {
      // The correlation shows identities and totals, not rates: one sample is enough.
      const s = await collector.sample();
      const c = findContainer(s, command.ref);
      if (!c) throw notFound(`container ${JSON.stringify(command.ref)}`, s.target);
      const correlation = correlate(s, c);
      return render(correlation, () => printCorrelation(correlation, columns), s);
    }
    case 'gap': {
      const s = await collector.sampleWithRates(intervalMs);
      const findings = analyzeGaps(s);
      return render({ findings }, () => printGaps(findings), s);
    }
  }
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
    const { command, options } = request;
    const openOptions: OpenOptions = { acceptNewHostKey: options.acceptNewHostKey, log };
    if (io.stdinIsTty) {
      openOptions.askPassword = (prompt) => io.askHidden(prompt);
      openOptions.askPassphrase = (keyPath) => io.askHidden(`Passphrase for ${keyPath}: `);
      openOptions.confirmHostKey = (info) => confirmHostKey(io, info);
    }
    transport = await openTransport(options.target, openOptions);
    collector = new Collector(transport, { log });
    const out = await produce(collector, command, options, io.columns ?? DEFAULT_COLUMNS);
    io.stdout(`${out.text}\n`);
    for (const w of out.warnings.slice(0, MAX_WARNINGS_SHOWN)) io.stderr(`docker-monitor: warning: ${sanitizeForTerminal(w)}\n`);
    if (out.warnings.length > MAX_WARNINGS_SHOWN) {
      io.stderr(`docker-monitor: warning: ${out.warnings.length - MAX_WARNINGS_SHOWN} more (see "monitor all --json")\n`);
    }
    return EXIT_OK;
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
