// What each command shows of one snapshot, as JSON and as tables: shared by the one-shot run and --watch.
import type { Snapshot } from '../core/model';
import { MonitorError } from '../core/errors';
import { correlate, findContainer } from '../core/analyze/correlate';
import { analyzeGaps } from '../core/analyze/gaps';
import type { MonitorCommand } from './args';
import { allJson } from '../core/json';
import { printHost } from './hostPrinter';
import { printContainerDetail, printContainers } from './containerPrinter';
import { printProcessDetail, printProcesses } from './processPrinter';
import { printCorrelation } from './correlationPrinter';
import { printGaps } from './gapPrinter';
import { sanitizeForTerminal } from './sanitize';
import { section } from './table';

const MAX_WARNINGS_SHOWN = 10;
/** Width to lay out for when stdout is not a terminal. */
export const DEFAULT_COLUMNS = 120;

export interface View {
  /** What --json prints. */
  json: unknown;
  /** The tables (only built when printed). */
  text(): string;
  warnings: string[];
  /** The JSON carries the warnings itself, so --json need not repeat them on stderr. */
  jsonHasWarnings: boolean;
}

export function notFound(what: string, target: string): MonitorError {
  return new MonitorError(`${what} not found on ${target}`, 'not-found');
}

/** Correlation shows identities and totals, not rates: one sample is enough for it. */
export function needsRates(command: MonitorCommand): boolean {
  return command.kind !== 'correlation';
}

/** Throws MonitorError('not-found') when the command's container or process is not in the snapshot. */
export function viewOf(s: Snapshot, command: MonitorCommand, columns: number): View {
  const view = (json: unknown, text: () => string): View => ({
    json,
    text,
    warnings: s.warnings,
    jsonHasWarnings: false,
  });
  switch (command.kind) {
    case 'host':
      return view(s.host, () => printHost(s));
    case 'all':
      return {
        json: allJson(s),
        text: () =>
          [printHost(s), section('Containers', printContainers(s)), section('Processes', printProcesses(s))].join(
            '\n\n',
          ),
        warnings: s.warnings,
        jsonHasWarnings: true,
      };
    case 'container': {
      const c = findContainer(s, command.ref);
      if (!c) throw notFound(`container ${JSON.stringify(command.ref)}`, s.target);
      return view(c, () => printContainerDetail(s, c));
    }
    case 'process': {
      const p = s.processes.find((x) => x.pid === command.pid);
      if (!p) throw notFound(`process with PID ${command.pid}`, s.target);
      return view(p, () => printProcessDetail(s, p));
    }
    case 'correlation': {
      const c = findContainer(s, command.ref);
      if (!c) throw notFound(`container ${JSON.stringify(command.ref)}`, s.target);
      const correlation = correlate(s, c);
      return view(correlation, () => printCorrelation(correlation, columns));
    }
    case 'gap': {
      const findings = analyzeGaps(s);
      return view({ findings }, () => printGaps(findings));
    }
  }
}

/** Warning lines for stderr, at most MAX_WARNINGS_SHOWN and a count of the rest. */
export function warningLines(warnings: readonly string[]): string[] {
  const lines = warnings.slice(0, MAX_WARNINGS_SHOWN).map((w) => `docker-monitor: warning: ${sanitizeForTerminal(w)}`);
  if (warnings.length > MAX_WARNINGS_SHOWN) {
    lines.push(`docker-monitor: warning: ${warnings.length - MAX_WARNINGS_SHOWN} more (see "monitor all --json")`);
  }
  return lines;
}
