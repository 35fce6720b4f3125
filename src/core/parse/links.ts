// Parsers for symlink targets under /proc/PID.

/** `net:[4026531840]` (a /proc/PID/ns/* link target) -> { type: 'net', inode: 4026531840 }. */
export function namespaceInodeFromLink(target: string): { type: string; inode: number } | null {
  const m = /^([a-z_]{1,32}):\[(\d{1,20})\]$/.exec(target.trim());
  return m ? { type: m[1], inode: Number(m[2]) } : null;
}

const PROC_NS_NET = /^\/proc\/([0-9]+)\/ns\/net$/;

const PROC_FD = /^\/proc\/([0-9]+)\/fd\/[0-9]+$/;

/** Network namespace link targets (`net:[inode]`) in which some process has an fd link to a socket. */
export function netnsWithSockets(links: Map<string, string>): Set<string> {
  const withSockets = new Set<number>();
  for (const [path, target] of links) {
    if (!target.startsWith('socket:')) continue;
    const m = PROC_FD.exec(path);
    if (m) withSockets.add(Number(m[1]));
  }
  const out = new Set<string>();
  for (const pid of withSockets) {
    const ns = links.get(`/proc/${pid}/ns/net`);
    if (ns !== undefined) out.add(ns);
  }
  return out;
}

/** The lowest PID in each network namespace, from /proc/PID/ns/net link targets. */
export function onePidPerNetns(links: Map<string, string>): number[] {
  const lowest = new Map<string, number>();
  // forEach, and the regular expression only for paths ending in /ns/net: this runs over every link of a refresh.
  links.forEach((target, path) => {
    if (!path.endsWith('/ns/net')) return;
    const m = PROC_NS_NET.exec(path);
    if (!m) return;
    const pid = Number(m[1]);
    const seen = lowest.get(target);
    if (seen === undefined || pid < seen) lowest.set(target, pid);
  });
  return [...lowest.values()];
}
