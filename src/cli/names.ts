// Small shared descriptions used by several printers.
import type { NamespaceType, Snapshot } from '../core/model';

/** Container id -> name, for labelling processes. */
export function containerNames(s: Snapshot): Map<string, string> {
  return new Map(s.containers.map((c) => [c.id, c.name]));
}

/** Whether a namespace inode is the host's (PID 1's) one. */
export function namespaceSharing(s: Snapshot, type: NamespaceType, inode: number): string {
  const hostInode = s.host.namespaces[type];
  if (hostInode === undefined) return 'unknown (host reference not read)';
  return hostInode === inode ? 'shared with host' : 'private';
}
