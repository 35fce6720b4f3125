// What one container event means for what we show. Execs (a healthcheck runs one every interval: exec_create,
// exec_start, exec_die) and stream plumbing (attach, resize...) change no field of DockerContainerMeta: no
// state, name, health, PID, address, path or limit. A health change comes as its own `health_status: ...`.
// Unknown actions count as changes: a new daemon's new action costs one inspect, a missed change costs a wrong view.
export type ContainerEventEffect = 'ignore' | 'changed' | 'destroyed';

const NO_CHANGE: ReadonlySet<string> = new Set([
  'attach',
  'detach',
  'resize',
  'top',
  'export',
  'copy',
  'archive-path',
  'extract-to-dir',
  'commit',
]);

/** The action without its detail: `health_status: healthy` -> `health_status`; '' when there is none. */
export function eventAction(event: unknown): string {
  if (!isObject(event)) return '';
  const raw = typeof event.Action === 'string' && event.Action !== '' ? event.Action : event.status;
  if (typeof raw !== 'string') return '';
  const colon = raw.indexOf(':');
  return (colon >= 0 ? raw.slice(0, colon) : raw).trim();
}

/** The container's full id, or null when the event names none (or is not about a container). */
export function eventContainerId(event: unknown): string | null {
  if (!isObject(event)) return null;
  if (event.Type !== undefined && event.Type !== 'container') return null;
  const actor = isObject(event.Actor) ? event.Actor.ID : undefined;
  const id = typeof actor === 'string' && actor !== '' ? actor : event.id;
  return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : null;
}

export function actionEffect(action: string): ContainerEventEffect {
  if (action === '' || action.startsWith('exec_') || NO_CHANGE.has(action)) return 'ignore';
  return action === 'destroy' ? 'destroyed' : 'changed';
}

export function containerEventEffect(event: unknown): ContainerEventEffect {
  return eventContainerId(event) === null ? 'ignore' : actionEffect(eventAction(event));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
