// The usage error every argument parser of the CLI throws (status 2), and how it echoes what was typed.
import { MonitorError } from '../core/errors';

export function usageError(message: string): MonitorError {
  return new MonitorError(`${message} (try --help)`, 'bad-argument');
}

/** Quoted and cut short, so an echoed argument stays on one line. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
