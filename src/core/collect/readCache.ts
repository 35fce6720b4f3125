// What the tiered reads leave out, kept from the refresh that read it, so that every refresh can be assembled as
// if everything had been read: per (PID, start time) the files and links fixed for a process's life; per network
// namespace its socket tables; the host's and the interfaces' details; each container cgroup's limits.
// `complete()` fills a tiered batch in place with the rest, and hands the facts of the processes it knows to
// indexBatch by reference (KnownProcesses), so that they are neither copied nor parsed again each refresh.
// The network namespaces' part is netnsCache.ts, the cgroup limits' limitCache.ts.
import type { BatchResult } from '../transport/types';
import { splitProcPath } from './batchIndex';
import type { KnownProcess, KnownProcesses } from './batchIndex';
import { isPlanLiteralPath } from '../transport/batchScript';
import { parseProcCgroup, procStatField } from '../parse/procPid';
import { containerOfProcess } from '../parse/containerId';
import { HOST_FILES, PROCESS_FACT_FILES, SLOW_HOST_FILES } from './plan';
import type { TierRequest } from './plan';
import { FULL_DEMAND } from './demand';
import type { Demand } from './demand';
import { LimitCache } from './limitCache';
import { NetnsCache } from './netnsCache';

interface ProcessFacts extends KnownProcess {
  start: number;
  files: Map<string, string>; // status, cgroup, cmdline
  ns: Map<string, string>; // namespace type -> link target
  exe: string | null;
  /** fd link targets, as of the last slow refresh (or the process's first sight). */
  fds: string[];
  cgroupPath: string | null;
  containerId: string | null;
  /** comm when the facts were read: a different comm now means an exec (new cmdline, exe) or a rename. */
  comm: string;
}

const SYS_NET = '/sys/class/net/';

function netDevNames(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .slice(2)
    .map((l) => l.slice(0, l.indexOf(':')).trim())
    .filter((n) => n !== '');
}

/** completeProcesses yields every this many paths or processes (a few µs each). */
const YIELD_EVERY = 128;

/** Every this many slow cadences a refresh for less than every process still reads every stat (see request()). */
const PRUNE_EVERY = 10;

export class ReadCache {
  private readonly processes = new Map<number, ProcessFacts>();
  private readonly netns = new NetnsCache();
  private hostFiles = new Map<string, string>();
  private readonly limits = new LimitCache();
  private interfaceFiles = new Map<string, string>();
  private interfaceLinks = new Map<string, string>();
  private interfaceNames: string[] | null = null;
  private netDevSeen: string[] = [];
  private refreshes = 0;
  private pageSize: number | null = null;
  /** PIDs whose facts are to be read again on the next refresh (they exec'd or renamed themselves). */
  private readonly stale = new Set<number>();
  /**
   * Set by the collector from the last refresh that read every namespace's net/dev: the host's veth counters
   * give the same figures (see trafficFromHostPeers), so row refreshes may leave those files out.
   */
  netDevFromHostPeers = false;
  /** When the slow tier (socket tables, fd counts, host and interface details) was last read; ms since epoch. */
  slowReadAt: number | null = null;

  constructor(private readonly slowEvery: number) {}

  /**
   * What the next refresh should read besides the every-tick files, for what `demand` shows. `mainPids`: each
   * container's main process as Docker last said, so that every container has one process read (its cgroup and
   * network namespace) whatever else is shown. Between pruning refreshes (every PRUNE_EVERY slow cadences, when
   * every stat is read) the readers' /proc listing tells the cache which of its processes are gone.
   */
  request(forceSlow: boolean, demand: Demand = FULL_DEMAND, mainPids: readonly number[] = []): TierRequest {
    const slow = forceSlow || this.slowReadAt === null || this.refreshes % this.slowEvery === 0;
    const interfaces =
      slow || this.interfaceNames === null || this.netDevSeen.some((n) => !this.interfaceNames!.includes(n));
    const known: Array<[number, number]> = [];
    const cgroupPaths = new Set<string>();
    for (const [pid, f] of this.processes) {
      if (this.stale.has(pid)) continue;
      // A cgroup path the plan cannot carry: read this process's facts again, so the reader finds it itself.
      if (f.cgroupPath !== null && !isPlanLiteralPath(f.cgroupPath)) continue;
      known.push([pid, f.start]);
      if (f.cgroupPath !== null) cgroupPaths.add(f.cgroupPath);
    }
    // Every stat when every process is shown, and on a pruning refresh: a reader without a /proc listing (sh)
    // reports no gone processes otherwise.
    const prune = this.slowReadAt === null || this.refreshes % (this.slowEvery * PRUNE_EVERY) === 0;
    const stat = demand.processes === 'all' || prune ? 'all' : this.pidsShown(demand.processes, mainPids);
    const containerDetail = slow || demand.containerDetail;
    const netnsNetDev = containerDetail || interfaces || !this.netDevFromHostPeers;
    const pressure = demand.containerDetail;
    return { slow, interfaces, stat, containerDetail, pressure, known, cgroupPaths: [...cgroupPaths], netnsNetDev };
  }

  /** PID 1, the given main PIDs, one process of every container known, and every process of `containers`. */
  pidsShown(containers: readonly string[], mainPids: readonly number[]): number[] {
    const wanted = new Set(containers);
    const pids = new Set<number>([1, ...mainPids]);
    const firstByContainer = new Map<string, number>();
    for (const [pid, f] of this.processes) {
      if (f.containerId === null || this.stale.has(pid)) continue;
      if (wanted.has(f.containerId)) pids.add(pid);
      const first = firstByContainer.get(f.containerId);
      if (first === undefined || pid < first) firstByContainer.set(f.containerId, pid);
    }
    for (const pid of firstByContainer.values()) pids.add(pid);
    // Stale PIDs (an exec) are read as new ones would be: through the listing, with their facts.
    for (const pid of this.stale) pids.add(pid);
    return [...pids].sort((a, b) => a - b);
  }

  /**
   * Fills `batch` (read with `req`) with what was left out, and keeps what it brought for next time. The facts
   * of known processes are not copied into the batch: they are returned, for indexBatch, by reference.
   */
  complete(batch: BatchResult, req: TierRequest, now: number = Date.now()): KnownProcesses {
    this.begin(req, now);
    for (const step of this.steps) for (const _ of step.call(this, batch, req) ?? []);
    return this.known();
  }

  /**
   * complete(), with `pause` awaited between its steps and within the per-process one: `pause` yields to the
   * event loop when its time slice is used up, so that 2,000 processes never hold it for long.
   */
  async completeInTurns(
    batch: BatchResult,
    req: TierRequest,
    pause: () => Promise<void>,
    now: number = Date.now(),
  ): Promise<KnownProcesses> {
    this.begin(req, now);
    for (const step of this.steps) {
      for (const _ of step.call(this, batch, req) ?? []) await pause();
      await pause();
    }
    return this.known();
  }

  /** The processes of the last refresh whose facts come from the cache (those it read are in its batch). */
  private knownNow = new Map<number, ProcessFacts>();

  private known(): KnownProcesses {
    return { processes: this.knownNow, pageSize: this.pageSize };
  }

  /** A step that loops over every process is a generator: it yields now and then, where the caller may pause. */
  private readonly steps: Array<(batch: BatchResult, req: TierRequest) => Iterable<void> | void> = [
    this.completeProcesses,
    (batch, req) => this.netns.complete(batch, req),
    this.completeHost,
    (batch, req) => this.limits.complete(batch, req),
  ];

  private begin(req: TierRequest, now: number): void {
    this.refreshes++;
    this.stale.clear();
    if (req.slow) this.slowReadAt = now;
  }

  private *completeProcesses(batch: BatchResult, req: TierRequest): Generator<void> {
    const alive: number[] = [];
    const fresh = new Map<number, FreshFacts>();
    let n = 0;
    // Keys as an array: a generator's for-of over Map entries allocates a pair per entry.
    const filePaths = [...batch.files.keys()];
    for (let i = 0; i < filePaths.length; i++) {
      const path = filePaths[i];
      if (++n % YIELD_EVERY === 0) yield;
      const p = splitProcPath(path);
      if (!p) continue;
      const content = batch.files.get(path)!;
      if (p.rest === 'stat') alive.push(p.pid);
      else if (PROCESS_FACT_FILES.includes(p.rest)) entry(fresh, p.pid).files.set(p.rest, content);
    }
    const linkPaths = [...batch.links.keys()];
    for (let i = 0; i < linkPaths.length; i++) {
      const path = linkPaths[i];
      if (++n % YIELD_EVERY === 0) yield;
      const p = splitProcPath(path);
      if (!p) continue;
      const target = batch.links.get(path)!;
      if (p.rest.startsWith('fd/')) entry(fresh, p.pid).fds.push(target);
      else if (p.rest === 'exe') entry(fresh, p.pid).exe = target;
      else if (p.rest.startsWith('ns/')) entry(fresh, p.pid).ns.set(p.rest.slice(3), target);
    }
    // A refresh that read every stat knows which processes are gone; so does one whose reader listed /proc.
    const present = req.stat === 'all' ? new Set(alive) : batch.pids ? new Set(batch.pids) : null;
    if (present) for (const pid of [...this.processes.keys()]) if (!present.has(pid)) this.processes.delete(pid);

    this.knownNow = new Map();
    for (let i = 0; i < alive.length; i++) {
      const pid = alive[i];
      if (++n % YIELD_EVERY === 0) yield;
      const statText = batch.files.get(`/proc/${pid}/stat`)!;
      const start = procStatField(statText, 22);
      if (start === null) continue;
      const got = fresh.get(pid);
      let cached = this.processes.get(pid);
      if (cached && cached.start !== start) {
        this.processes.delete(pid); // a reused PID: the old process's facts are not this one's
        cached = undefined;
      }
      if (got && got.files.has('status')) {
        // Read this time (a new process, or a reader that reads everything): the new truth, in the batch already.
        this.learnPageSize(got.files.get('status')!, statText);
        const container = containerOfProcess(parseProcCgroup(got.files.get('cgroup') ?? ''));
        this.processes.set(pid, {
          start,
          files: got.files,
          ns: got.ns,
          exe: got.exe,
          fds: got.fds,
          cgroupPath: container?.cgroupPath ?? null,
          containerId: container?.id ?? null,
          comm: commOf(statText),
          memo: {},
        });
        continue;
      }
      if (!cached) continue; // facts neither read nor known: it appeared between the two reads; next time
      // An exec keeps PID and start time but changes cmdline and exe: use what we have once more, read again next time.
      if (cached.comm !== commOf(statText)) this.stale.add(pid);
      // A slow refresh read the fd links of every process it read the stat of.
      if (req.slow) cached.fds = got?.fds ?? [];
      this.knownNow.set(pid, cached);
    }
  }

  /** Bytes per page, from a process whose status (VmRSS, kB) and stat (RSS, pages) were read together. */
  private learnPageSize(status: string, stat: string): void {
    if (this.pageSize !== null) return;
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    const pages = procStatField(stat, 24);
    if (kb && pages !== null && pages > 0) this.pageSize = Math.round((Number(kb[1]) * 1024) / pages);
  }

  private completeHost(batch: BatchResult, req: TierRequest): void {
    if (req.slow) {
      this.hostFiles = new Map(
        SLOW_HOST_FILES.flatMap((f) => (batch.files.has(f) ? [[f, batch.files.get(f)!] as const] : [])),
      );
    } else {
      for (const [f, c] of this.hostFiles) batch.files.set(f, c);
    }
    if (req.interfaces) {
      this.interfaceFiles = new Map([...batch.files].filter(([p]) => p.startsWith(SYS_NET)));
      this.interfaceLinks = new Map([...batch.links].filter(([p]) => p.startsWith(SYS_NET)));
      this.interfaceNames = [
        ...new Set([...this.interfaceLinks.keys()].map((p) => p.slice(SYS_NET.length).split('/')[0])),
      ];
    } else {
      for (const [p, c] of this.interfaceFiles) batch.files.set(p, c);
      for (const [p, t] of this.interfaceLinks) batch.links.set(p, t);
    }
    this.netDevSeen = netDevNames(batch.files.get(HOST_FILES.netDev));
  }
}

function commOf(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

interface FreshFacts {
  files: Map<string, string>;
  ns: Map<string, string>;
  exe: string | null;
  fds: string[];
}

function entry(m: Map<number, FreshFacts>, pid: number): FreshFacts {
  let e = m.get(pid);
  if (!e) m.set(pid, (e = { files: new Map(), ns: new Map(), exe: null, fds: [] }));
  return e;
}
