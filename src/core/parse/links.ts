// Parsers for symlink targets under /proc/PID.

/** `net:[4026531840]` (a /proc/PID/ns/* link target) -> { type: 'net', inode: 4026531840 }. */
export function namespaceInodeFromLink(target: string): { type: string; inode: number } | null {
  const m = /^([a-z_]{1,32}):\[(\d{1,20})\]$/.exec(target.trim());
  return m ? { type: m[1], inode: Number(m[2]) } : null;
}
