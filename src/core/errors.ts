// The one error type of the engine: a line for people (no stack, nothing secret) and a code for code, so that a
// front end can offer the right action (retry, accept a key, fix a setting). Every layer throws and catches it.

/** What went wrong, as a front end needs to know it. */
export type ErrorCode =
  | 'bad-argument'
  | 'not-found'
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'docker-denied'
  | 'docker-unavailable'
  | 'timeout'
  | 'internal';

/** An error meant for the user: one clear line, no stack. `code` lets UIs offer the right action. */
export class MonitorError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'internal',
  ) {
    super(message);
    this.name = 'MonitorError';
  }
}

/**
 * Anything thrown, as a MonitorError: one passes through unchanged; anything else becomes 'internal' with its
 * message, after `doing` ("connecting to host") when given.
 */
export function toMonitorError(e: unknown, doing?: string): MonitorError {
  if (e instanceof MonitorError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new MonitorError(doing ? `${doing}: ${message}` : message, 'internal');
}
