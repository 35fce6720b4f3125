// Small shared descriptions used by several printers.
import type { NamespaceType, Snapshot } from '../core/model';

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Container id -> name, for labelling processes. */
export function containerNames(s: Snapshot): Map<string, string> {
  return new Map(s.containers.map((c) => [c.id, c.name]));
}

/** The PID inside the innermost PID namespace, when the process is in a nested one. */
export function innerPid(nsPid: number[]): number | null {
  return nsPid.length > 1 ? nsPid[nsPid.length - 1] : null;
}

/** Whether a namespace inode is the host's (PID 1's) one. */
export function namespaceSharing(s: Snapshot, type: NamespaceType, inode: number): string {
  const hostInode = s.host.namespaces[type];
  if (hostInode === undefined) return 'unknown (host reference not read)';
  return hostInode === inode ? 'shared with host' : 'private';
}
