// The one-line form of every error the CLI prints.
import { sanitizeForTerminal } from './sanitize';

/** One line, whatever the message holds: the contract for every error the CLI prints. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  return `docker-monitor: ${sanitizeForTerminal(message.trim() || 'unknown error')}`;
}
