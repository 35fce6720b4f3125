// The container list as both sides state it, in one comparable form: name, full id, and the context value
// (running or stopped) the tree must give it.
import type { PsRow } from './docker';
import { containerIdOf } from './tree';
import type { Row } from './tree';

/** The context value a container's docker state calls for (running, paused and restarting ones have processes). */
export function expectedContext(state: string): string {
  return state === 'running' || state === 'paused' || state === 'restarting'
    ? 'container.running'
    : 'container.stopped';
}

function summary(list: Array<{ id: string; name: string; context: string }>): string[] {
  return list.map((c) => `${c.name} ${c.id} ${c.context}`).sort();
}

export function treeContainers(rows: Row[]): string[] {
  return summary(rows.map((r) => ({ id: containerIdOf(r), name: r.label, context: r.contextValue })));
}

export function dockerContainers(ps: PsRow[]): string[] {
  return summary(ps.map((p) => ({ id: p.id, name: p.name, context: expectedContext(p.state) })));
}
