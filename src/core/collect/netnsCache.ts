// The read cache's network namespaces: each namespace's socket tables (read on the slow tier) and its interfaces'
// iflinks (read when the interfaces change), given back to the refreshes in between, until the namespace is gone.
// Part of ReadCache (readCache.ts), apart because it changes with the per-namespace files, not the process tiers.
import type { BatchResult } from '../transport/types';
import { onePidPerNetns } from '../parse/links';
import { NETNS_SLOW_FILES } from './plan';
import type { TierRequest } from './plan';

const IFLINK_PATH = /^\/proc\/(\d+)\/(root\/sys\/class\/net\/[^/]+\/iflink)$/;

/** Socket tables (slow refreshes) and iflinks (interfaces refreshes) per network namespace, kept between. */
export class NetnsCache {
  /** netns link target (`net:[inode]`) -> socket table file name -> content. */
  private readonly sockets = new Map<string, Map<string, string>>();
  /** netns link target -> `root/sys/class/net/X/iflink` -> content, as of the last interfaces refresh. */
  private readonly iflinks = new Map<string, Map<string, string>>();

  /** Gives back what `batch` (read with `req`) left out, and keeps what it brought. */
  complete(batch: BatchResult, req: TierRequest): void {
    const read = new Map<number, Map<string, string>>();
    if (req.interfaces) {
      for (const [path, c] of batch.files) {
        const m = IFLINK_PATH.exec(path);
        if (!m) continue;
        const pid = Number(m[1]);
        if (!read.has(pid)) read.set(pid, new Map());
        read.get(pid)!.set(m[2], c);
      }
    }
    for (const pid of onePidPerNetns(batch.links)) {
      const ns = batch.links.get(`/proc/${pid}/ns/net`);
      if (ns === undefined) continue;
      const prefix = `/proc/${pid}/`;
      if (req.slow) {
        const tables = new Map<string, string>();
        for (const f of NETNS_SLOW_FILES) {
          const c = batch.files.get(prefix + f);
          if (c !== undefined) tables.set(f, c);
        }
        this.sockets.set(ns, tables);
      } else {
        for (const [f, c] of this.sockets.get(ns) ?? []) batch.files.set(prefix + f, c);
      }
      if (req.interfaces) {
        this.iflinks.set(ns, read.get(pid) ?? new Map());
      } else {
        for (const [f, c] of this.iflinks.get(ns) ?? []) batch.files.set(prefix + f, c);
      }
    }
    if (req.slow) {
      const live = new Set([...batch.links].filter(([p]) => p.endsWith('/ns/net')).map(([, t]) => t));
      for (const m of [this.sockets, this.iflinks]) for (const ns of [...m.keys()]) if (!live.has(ns)) m.delete(ns);
    }
  }
}
