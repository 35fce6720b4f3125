// Engine API failures as MonitorErrors: socket errors, HTTP statuses, replies of the wrong shape.
import type { IncomingMessage } from 'node:http';
import { MonitorError } from '../../errors';

/** Maps a socket-level failure to the codes a Transport uses; MonitorErrors pass through unchanged. */
export function dockerSocketError(err: unknown, socketPath: string): MonitorError {
  if (err instanceof MonitorError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new MonitorError(`permission denied on ${socketPath} (add the user to the docker group)`, 'docker-denied');
    case 'ENOENT':
      return new MonitorError(`no Docker socket at ${socketPath} (is dockerd running?)`, 'docker-unavailable');
    case 'ECONNREFUSED':
      return new MonitorError(`nothing listens on ${socketPath} (is dockerd running?)`, 'docker-unavailable');
    case 'ENOTSOCK':
      return new MonitorError(`${socketPath} is not a socket`, 'docker-unavailable');
    default: {
      const what = code ?? oneLine(err instanceof Error ? err.message : String(err));
      return new MonitorError(`connection to the Docker API on ${socketPath} failed: ${what}`, 'docker-unavailable');
    }
  }
}

export function statusError(res: IncomingMessage, body: string, path: string): MonitorError {
  const status = res.statusCode ?? 0;
  let message = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed?.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the daemon (or a proxy in front of it) sent plain text.
  }
  const text =
    `Docker API GET ${path.split('?')[0]}: ${status} ${oneLine(message) || (res.statusMessage ?? '')}`.trim();
  if (status === 401 || status === 403) return new MonitorError(text, 'docker-denied');
  if (status === 404) return new MonitorError(text, 'not-found');
  if (status === 400 || status === 409) return new MonitorError(text, 'bad-argument');
  if (status >= 500) return new MonitorError(text, 'docker-unavailable');
  return new MonitorError(text, 'internal');
}

export function unexpected(path: string): MonitorError {
  return new MonitorError(`Docker API returned an unexpected reply for GET ${path}`, 'internal');
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}
