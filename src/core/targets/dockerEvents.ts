// Which Docker events change what the tree shows, so that a refresh follows them at once instead of at the
// next tick. Health checks and execs (`exec_start: ...`, `health_status: ...`) fire constantly and change no
// container's presence or state, so they do not count.
import type { EngineEvent } from '../docker/engineApi';

/** Actions that add, remove or change the state of a container. */
export const CONTAINER_CHANGE_ACTIONS: ReadonlySet<string> = new Set([
  'create',
  'start',
  'stop',
  'die',
  'destroy',
  'pause',
  'unpause',
  'rename',
]);

export function isContainerChangeEvent(event: Pick<EngineEvent, 'Type' | 'Action'> & { status?: string }): boolean {
  if (event.Type !== undefined && event.Type !== 'container') return false;
  const action = typeof event.Action === 'string' && event.Action !== '' ? event.Action : event.status;
  return typeof action === 'string' && CONTAINER_CHANGE_ACTIONS.has(action);
}
