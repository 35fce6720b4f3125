// Which Docker events change what the tree shows, so that a refresh follows them at once instead of at the
// next tick. The describer marks the same events' containers for inspection (one rule, in docker/containerEvents):
// execs, which health checks fire constantly, do not count; a health change (`health_status: ...`) does.
import { actionEffect, eventAction } from '../docker/containerEvents';
import type { EngineEvent } from '../docker/engineApi';

export function isContainerChangeEvent(event: Pick<EngineEvent, 'Type' | 'Action'> & { status?: string }): boolean {
  if (event.Type !== undefined && event.Type !== 'container') return false;
  return actionEffect(eventAction(event)) !== 'ignore';
}
