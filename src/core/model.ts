// The snapshot model: plain JSON, produced by the collector, consumed by the CLI, the tree and the panels.
// Field names here are the public JSON contract (README "JSON contract"); add fields, never rename.

export const NAMESPACE_TYPES = ['pid', 'net', 'mnt', 'uts', 'ipc', 'user', 'cgroup'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

interface NamespaceRef {
  inode: number;
  /** Same inode as the host's PID 1: this namespace is not private. */
  sharedWithHost: boolean;
}
export type Namespaces = Partial<Record<NamespaceType, NamespaceRef>>;

/** Jiffies from the `cpu` line of /proc/stat (first 8 fields). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface CpuPercent {
  user: number;
  system: number;
  iowait: number;
  steal: number;
  idle: number;
  /** 100 - idle - iowait: busy share of all CPUs. */
  busy: number;
}

export interface HostMemory {
  totalBytes: number;
  availableBytes: number;
  /** total - available, as `free` reports "used" on current procps. */
  usedBytes: number;
  freeBytes: number;
  buffersBytes: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  swapUsedBytes: number;
}

export interface DiskUsage {
  /** What the figure is for: the root filesystem or the Docker data root. */
  role: 'root' | 'docker';
  path: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  usedPercent: number;
}

export type InterfaceKind = 'loopback' | 'physical' | 'veth' | 'bridge' | 'virtual';

export interface NetInterface {
  name: string;
  ifindex: number | null;
  /** ifindex of the peer for a veth; equal to ifindex otherwise. */
  iflink: number | null;
  kind: InterfaceKind;
  /** Bridge this interface is enslaved to (e.g. docker0), from /sys/class/net/X/master. */
  master: string | null;
  operState: string | null;
  mac: string | null;
  mtu: number | null;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
}

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  restarting: number;
  exited: number;
  created: number;
  dead: number;
}

/**
 * One line of a PSI file (kernel Documentation/accounting/psi.rst): the share of wall time in which some (or all)
 * non-idle tasks were stalled waiting for the resource.
 */
export interface PressureLine {
  /** The kernel's running averages over 10, 60 and 300 s, in % of wall time. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time, µs (since boot for the host; since the cgroup was created for a container). */
  totalUs: number;
  /** Stall time over the last refresh interval, in % of wall time (from two totals); null on a first sample. */
  totalPercent: number | null;
}

export interface Pressure {
  some: PressureLine;
  /** Null where the file has no `full` line (host cpu before Linux 5.13). */
  full: PressureLine | null;
}

/** PSI per resource; a resource is null where its file is absent (no CONFIG_PSI, psi=0, or unreadable). */
export interface PressureSet {
  cpu: Pressure | null;
  memory: Pressure | null;
  io: Pressure | null;
}

export interface HostInfo {
  hostname: string;
  kernel: string;
  osRelease: string;
  uptimeSeconds: number;
  /** Unix time (s) the host booted, from /proc/stat btime. */
  bootTime: number;
  loadAverage: [number, number, number];
  cpuCount: number;
  cpuTimes: CpuTimes;
  /** Null on a single sample: percentages need two. */
  cpuPercent: CpuPercent | null;
  memory: HostMemory;
  disks: DiskUsage[];
  interfaces: NetInterface[];
  containerCounts: ContainerCounts;
  /** Namespace inodes of the host's PID 1 (the reference for sharedWithHost). */
  namespaces: Partial<Record<NamespaceType, number>>;
  cgroupVersion: 1 | 2;
  clockTicks: number;
  /** /proc/pressure/{cpu,memory,io}; null where /proc/pressure does not exist. */
  pressure: PressureSet | null;
}

interface ContainerMemory {
  /** usage - inactive_file, as the docker CLI shows. */
  usageBytes: number | null;
  /** Raw cgroup usage (memory.usage_in_bytes / memory.current). */
  rawUsageBytes: number | null;
  limitBytes: number | null;
  /** usage / limit x 100, when limited. */
  percent: number | null;
  cacheBytes: number | null;
  rssBytes: number | null;
  swapBytes: number | null;
  oomKills: number | null;
  failCount: number | null;
}

export interface ContainerCpu {
  percent: number | null;
  /** Cumulative cgroup CPU time in ns. */
  usageNs: number | null;
  /** quota / period, e.g. 0.5 for --cpus 0.5; null when unlimited. */
  limitCpus: number | null;
  quotaUs: number | null;
  periodUs: number | null;
  /** v1 cpu.shares (null on v2); v2 cpu.weight is `weight` (null on v1). */
  shares: number | null;
  weight: number | null;
  cpuset: string | null;
  periods: number | null;
  throttledPeriods: number | null;
  throttledNs: number | null;
  /** Throttled periods / periods over the last interval, in %. */
  throttledPercent: number | null;
  /**
   * Throttled periods / periods over up to the last 60 s (the window of PSI's avg60), from the collector's own
   * readings; null until it has two of the same run with the counters known, or when refreshes are over 60 s apart.
   */
  throttledWindow: ThrottledWindow | null;
  perCpuNs: number[] | null;
}

export interface ThrottledWindow {
  percent: number;
  /** What the readings span: less than 60 while the collector has watched the container for less. */
  seconds: number;
}

export interface ContainerNetwork {
  /** Docker's HostConfig.NetworkMode (bridge, host, none, container:<id>, a network name) or 'unknown'. */
  mode: string;
  hostVeth: string | null;
  hostVethIfindex: number | null;
  bridge: string | null;
  containerInterface: string | null;
  /** iflink of the container's interface: the ifindex of its host-side peer. */
  containerIflink: number | null;
  ipAddress: string | null;
  rxBytes: number | null;
  txBytes: number | null;
  rxPackets: number | null;
  txPackets: number | null;
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
}

export interface ContainerProcessRef {
  hostPid: number;
  /** PID inside the container's PID namespace (last NSpid entry). */
  containerPid: number | null;
  name: string;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  command: string | null;
  state: string;
  status: string;
  health: string | null;
  createdAt: string | null;
  startedAt: string | null;
  restartCount: number | null;
  labels: Record<string, string>;
  compose: { project: string; service: string | null } | null;
  /** Which engine's cgroup naming the id came from. */
  runtime: 'docker' | 'podman' | 'containerd' | 'crio' | 'unknown';
  /** 'docker-api' when the Engine API described it; 'cgroup' when found only from cgroups. */
  source: 'docker-api' | 'cgroup';
  privileged: boolean | null;
  pidMode: string | null;
  initPid: number | null;
  memory: ContainerMemory;
  cpu: ContainerCpu;
  pids: { current: number | null; limit: number | null };
  /** The cgroup v2 {cpu,memory,io}.pressure files (also under a v1 host's unified hierarchy); null where absent. */
  pressure: PressureSet | null;
  blockIo: {
    readBytes: number | null;
    writeBytes: number | null;
    readBytesPerSec: number | null;
    writeBytesPerSec: number | null;
  };
  network: ContainerNetwork;
  namespaces: Namespaces;
  cgroupPath: string | null;
  paths: { containerDir: string | null; mergedDir: string | null; upperDir: string | null; workDir: string | null };
  processes: ContainerProcessRef[];
}

export interface SocketInfo {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  state: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  inode: number;
  listening: boolean;
}

export interface ProcessInfo {
  pid: number;
  /** NSpid: the PID in each nested PID namespace, outermost (host) first. */
  nsPid: number[];
  ppid: number;
  name: string;
  command: string;
  exe: string | null;
  uid: number | null;
  user: string | null;
  state: string;
  rssBytes: number;
  vszBytes: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  cpuTimeSeconds: number;
  cpuPercent: number | null;
  threads: number;
  openFds: number | null;
  /** CPU the process last ran on (field 39 of /proc/PID/stat). */
  processor: number | null;
  startTime: string | null;
  /** Start time in clock ticks after boot (field 22), the identity of a PID across snapshots. */
  startTicks: number;
  containerId: string | null;
  cgroupPath: string | null;
  namespaces: Partial<Record<NamespaceType, number>>;
  sockets: SocketInfo[];
}

export interface DockerStatus {
  reachable: boolean;
  /** Why the Engine API could not be used (no socket, permission denied, ...). */
  reason: string | null;
  version: string | null;
  apiVersion: string | null;
  rootDir: string | null;
  socketPath: string;
}

export interface Snapshot {
  target: string;
  collectedAt: string;
  /** Host uptime in seconds when sampled: the clock for rates (immune to network latency). */
  sampleUptime: number;
  durationMs: number;
  /**
   * When the slow tier was last read: open-file counts, sockets, host and interface details may be this old
   * (the rest is from this refresh). Equal to collectedAt's refresh when it was read now.
   */
  slowReadAt: string;
  /**
   * Present when the refresh read only what the views on screen show. `processes` other than 'all': the
   * snapshot's processes are each container's main process and every process of the listed containers. Without
   * containerDetail the containers' block I/O, swap, per-CPU and fail-count figures are null; their `pressure` is
   * null whenever the views did not ask for detail (a slow refresh for the tree's rows reads no *.pressure).
   */
  partial?: { processes: 'all' | string[]; containerDetail: boolean };
  host: HostInfo;
  docker: DockerStatus;
  containers: ContainerInfo[];
  processes: ProcessInfo[];
  /** Things the collector could not read, stated for the user (never secrets). */
  warnings: string[];
}

export type FindingLevel = 'process-container' | 'container-host' | 'cross-level';
export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  rule: string;
  level: FindingLevel;
  severity: Severity;
  subject: { kind: 'host' | 'container' | 'process'; id: string; name: string };
  message: string;
  evidence: Record<string, number | string | boolean | null>;
}

export interface CorrelationRow {
  aspect: 'Spec' | 'On disk' | 'In memory' | 'In network' | 'Runtime context' | 'Isolation';
  process: string;
  container: string;
  host: string;
}

export interface Correlation {
  container: { id: string; name: string };
  hostPid: number | null;
  containerPid: number | null;
  hostVeth: string | null;
  containerInterface: string | null;
  bridge: string | null;
  cgroupPath: string | null;
  mergedDir: string | null;
  /** overlay2 upper (the container's own writes) and work dirs. */
  upperDir: string | null;
  workDir: string | null;
  containerDir: string | null;
  namespaces: Namespaces;
  processes: ContainerProcessRef[];
  rows: CorrelationRow[];
}
