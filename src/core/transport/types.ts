// What a collector asks of a target. Only raw bytes cross this boundary; parsing happens in the caller.
import type { Duplex } from 'node:stream';
import type { MonitorError } from '../errors';

/**
 * One refresh's reads, described up front so that a remote target can answer them in a single exec.
 * Paths may be shell globs using only `*`, `?` and bracket classes such as `[0-9]`.
 */
export interface BatchPlan {
  /** Files to read as text (globs allowed). Missing or unreadable files are left out of the result. */
  files: string[];
  /** Symlinks whose targets to read (globs allowed), e.g. `/proc/[0-9]*\/ns/*`. */
  links: string[];
  /** Paths to statfs (disk usage of the filesystem holding each). */
  statfs: string[];
  /**
   * Second stage, from the `/proc/<pid>/cgroup` files read in the first: every distinct cgroup path
   * (third field) matching `pattern` (an ERE understood by both JS RegExp and `grep -E`) has each of `files`
   * read under `root + path` and under `root + '/*' + path` (every v1 controller hierarchy). `paths` adds
   * cgroup paths the caller knows from processes whose cgroup file it did not ask for again (processFacts);
   * `newPathFiles` are read, besides `files`, only under the paths not in `paths` (new containers' limits).
   */
  cgroups?: { root: string; pattern: string; files: string[]; paths?: string[]; newPathFiles?: string[] };
  /**
   * Second stage: for one process in each distinct network namespace (by the `/proc/<pid>/ns/net` links of
   * the first stage), read these paths relative to `/proc/<pid>/` (globs allowed), e.g. `net/tcp`.
   */
  perNetns?: string[];
  /**
   * Like perNetns, but only in the namespaces where some process holds a socket (one of the `/proc/<pid>/fd/*`
   * links read in this batch points to `socket:[N]`): the socket tables, whose every read walks the kernel's
   * whole hash table, are read only where they can name a process's socket. A transport may read them in
   * every namespace: slower, never wrong.
   */
  perNetnsSockets?: string[];
  /**
   * Files and links of `/proc/<pid>/` that do not change for the life of a process (cmdline, cgroup, status's
   * NSpid and uids, namespace links, exe): read only for the PIDs whose start time (field 22 of the stat file
   * read in the first stage) differs from `known[pid]`, i.e. new processes and reused PIDs. A transport may
   * read them for every PID (the sh fallback does): that is slower, never wrong.
   * `newFromListing`: the plan reads the stat files of some PIDs only (literal `/proc/<pid>/stat`); every PID
   * that /proc lists and `known` does not hold (a new process) has its stat read too, with its facts. A
   * transport may read every stat instead.
   */
  processFacts?: {
    files: string[];
    links: string[];
    known: Array<[pid: number, startTicks: number]>;
    newFromListing?: boolean;
  };
}

export interface StatfsResult {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
}

export interface BatchResult {
  /** Absolute path -> content (UTF-8); a final NUL is dropped, empty files map to ''. */
  files: Map<string, string>;
  /** Absolute symlink path -> its target. */
  links: Map<string, string>;
  statfs: Map<string, StatfsResult>;
  /**
   * With processFacts.newFromListing: every PID /proc listed during this read, so that the caller learns which
   * processes it knows are gone without reading their stat. Absent otherwise (a reader that read every stat).
   */
  pids?: number[];
  /**
   * The remote reader's own CPU time so far (user + system, its children's included), in seconds, as it finished
   * this answer: what monitoring has cost the target on this connection. Absent from the sh fallback and locally.
   */
  readerCpuSeconds?: number;
  /** Wall time the target took, in ms. */
  durationMs: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface Transport {
  readonly kind: 'local' | 'ssh';
  /** A name for messages and the snapshot's `target` field: `local` or `user@host:port`. */
  readonly label: string;
  readBatch(plan: BatchPlan): Promise<BatchResult>;
  /** Runs argv without a shell locally; remotely each argument is single-quoted before it reaches sh. */
  exec(argv: string[], options?: { timeoutMs?: number; stdin?: string }): Promise<ExecResult>;
  /** A byte stream to a unix socket on the target (the Docker API). */
  openUnixSocket(path: string): Promise<Duplex>;
  /**
   * The closed signal: `listener` is called once when the connection ends, with the reason when it dropped (an
   * 'unreachable' MonitorError) or null after close(); at once (in a microtask) if it has ended already. Returns
   * a function that unsubscribes. A local transport never drops: its listeners hear only close().
   */
  onClose(listener: (error: MonitorError | null) => void): () => void;
  close(): Promise<void>;
  /**
   * The PID on the target of the long-lived reader that answers readBatch, whose CPU time is what reading costs
   * there (null for the sh fallback, which forks per refresh; absent locally, where the reader is this process).
   */
  readonly readerPid?: number | null;
  /** That reader's CPU seconds as of its last answer (BatchResult.readerCpuSeconds); null when unknown. */
  readonly readerCpuSeconds?: number | null;
}
