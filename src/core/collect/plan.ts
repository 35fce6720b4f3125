// What one refresh reads from a target, as a single BatchPlan (one request over SSH): everything (buildPlan),
// or what changes every tick plus the tiers that are due (buildTieredPlan).
import type { BatchPlan } from '../transport/types';
import { CONTAINER_CGROUP_PATTERN } from '../parse/containerId';
import { CGROUP_LIMIT_FILES, CGROUP_METRIC_FILES, CGROUP_ROW_FILES } from '../parse/cgroupMetrics';
import { CGROUP_PRESSURE_FILES } from '../parse/pressure';

/** Where cgroup hierarchies are mounted on every systemd-era distribution (v1 controllers below it, or v2 itself). */
export const CGROUP_ROOT = '/sys/fs/cgroup';
export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';

export const HOST_FILES = {
  stat: '/proc/stat',
  meminfo: '/proc/meminfo',
  loadavg: '/proc/loadavg',
  uptime: '/proc/uptime',
  hostname: '/proc/sys/kernel/hostname',
  kernel: '/proc/sys/kernel/osrelease',
  osRelease: '/etc/os-release',
  passwd: '/etc/passwd',
  netDev: '/proc/net/dev',
  /** Present only when the unified (v2) hierarchy is mounted at the cgroup root. */
  cgroupV2Controllers: `${CGROUP_ROOT}/cgroup.controllers`,
  /** PSI (absent without CONFIG_PSI, unreadable with psi=0: then left out of the batch). */
  pressureCpu: '/proc/pressure/cpu',
  pressureMemory: '/proc/pressure/memory',
  pressureIo: '/proc/pressure/io',
} as const;

export const PROCESS_FILES = ['stat', 'status', 'cgroup', 'cmdline'] as const;
const INTERFACE_FILES = ['ifindex', 'iflink', 'mtu', 'address', 'operstate', 'uevent', 'type'] as const;
/** Read through one process of each network namespace: the container's view of its own network. */
const NETNS_FILES = ['net/dev', 'net/tcp', 'net/tcp6', 'net/udp', 'net/udp6', 'root/sys/class/net/*/iflink'];

/** Everything every time: the design before tiers, kept as the reference the tiered reads must equal. */
export function buildPlan(dockerRoot: string): BatchPlan {
  return {
    files: [
      ...Object.values(HOST_FILES),
      ...PROCESS_FILES.map((f) => `/proc/[0-9]*/${f}`),
      ...INTERFACE_FILES.map((f) => `/sys/class/net/*/${f}`),
    ],
    links: [
      '/proc/[0-9]*/ns/*',
      '/proc/[0-9]*/fd/*',
      '/proc/[0-9]*/exe',
      '/sys/class/net/*',
      '/sys/class/net/*/master',
      // A macvlan/ipvlan/vlan has a lower_* link to its parent; a veth never does.
      '/sys/class/net/*/lower_*',
    ],
    statfs: dockerRoot === '/' ? ['/'] : ['/', dockerRoot],
    // The *.pressure files are read under every hierarchy like the rest: on a v1 host only the unified tree has them.
    cgroups: {
      root: CGROUP_ROOT,
      pattern: CONTAINER_CGROUP_PATTERN,
      files: [...CGROUP_METRIC_FILES, ...CGROUP_PRESSURE_FILES],
    },
    perNetns: NETNS_FILES,
  };
}

/** Read every refresh: what changes every tick. */
const TICK_HOST_FILES = [
  HOST_FILES.stat,
  HOST_FILES.meminfo,
  HOST_FILES.loadavg,
  HOST_FILES.uptime,
  HOST_FILES.netDev,
  HOST_FILES.cgroupV2Controllers,
  HOST_FILES.pressureCpu,
  HOST_FILES.pressureMemory,
  HOST_FILES.pressureIo,
];
/** Read on the slow cadence only (and on the first refresh): fixed, or changing without mattering per tick. */
export const SLOW_HOST_FILES: readonly string[] = [
  HOST_FILES.hostname,
  HOST_FILES.kernel,
  HOST_FILES.osRelease,
  HOST_FILES.passwd,
];
/** Fixed for a process's life (per PID and start time): read once, then cached by the collector. */
export const PROCESS_FACT_FILES = ['status', 'cgroup', 'cmdline'];
/** Namespace links and exe are fixed too; fd links are read once at first sight and then on the slow cadence. */
const PROCESS_FACT_LINKS = ['ns/*', 'exe', 'fd/*'];
/** A namespace's own traffic counters: every refresh. */
const NETNS_TICK_FILES = ['net/dev'];
/** Which host interface each of a namespace's is paired with: fixed while the interfaces stay, read with them. */
const NETNS_LINK_FILES = ['root/sys/class/net/*/iflink'];
/** Socket tables: each read walks the kernel's whole hash table (~1 ms whatever it holds): slow cadence only. */
export const NETNS_SLOW_FILES = ['net/tcp', 'net/tcp6', 'net/udp', 'net/udp6'];
const CGROUP_TICK_FILES = CGROUP_METRIC_FILES.filter((f) => !CGROUP_LIMIT_FILES.includes(f));
const INTERFACE_LINKS = ['/sys/class/net/*', '/sys/class/net/*/master', '/sys/class/net/*/lower_*'];

export interface TierRequest {
  /** Socket tables, every process's fd links, host and interface details. */
  slow: boolean;
  /** Interface details (sysfs files and links, each namespace's iflinks): on slow refreshes and when the interface set changed. */
  interfaces: boolean;
  /**
   * Whose stat to read: every process, or these PIDs (what the views show, plus one process per container for its
   * cgroup and network namespace); then the reader also finds new PIDs in /proc and reads their stat and facts.
   */
  stat: 'all' | number[];
  /** Every cgroup counter, not only a container row's. */
  containerDetail: boolean;
  /**
   * Each container's {cpu,memory,io}.pressure (default: with containerDetail). Only when a view shows container
   * detail: a slow refresh reads every counter for the row view too, and these three files would add to its cost.
   */
  pressure?: boolean;
  /** Processes whose facts the collector holds: [pid, start ticks]. */
  known: Array<[number, number]>;
  /** Container cgroup paths of those processes (their cgroup files are not read again). */
  cgroupPaths: string[];
  /**
   * Each network namespace's net/dev (default true). A row refresh leaves them out once a refresh that read them
   * showed that the host's /proc/net/dev holds the same figures (every interface a veth with its peer on the host).
   */
  netnsNetDev?: boolean;
}

/** One refresh that reads what changes every tick, plus what `tier` asks for; the collector fills in the rest. */
export function buildTieredPlan(dockerRoot: string, tier: TierRequest): BatchPlan {
  const slow = tier.slow;
  const every = tier.stat === 'all';
  const pids = tier.stat === 'all' ? [] : tier.stat;
  const cgroupCounters = slow
    ? CGROUP_METRIC_FILES
    : tier.containerDetail
      ? CGROUP_TICK_FILES
      : CGROUP_ROW_FILES.filter((f) => !CGROUP_LIMIT_FILES.includes(f));
  const cgroupFiles =
    (tier.pressure ?? tier.containerDetail) ? [...cgroupCounters, ...CGROUP_PRESSURE_FILES] : cgroupCounters;
  return {
    files: [
      ...TICK_HOST_FILES,
      ...(slow ? SLOW_HOST_FILES : []),
      ...(every ? ['/proc/[0-9]*/stat'] : pids.map((p) => `/proc/${p}/stat`)),
      ...(tier.interfaces ? INTERFACE_FILES.map((f) => `/sys/class/net/*/${f}`) : []),
    ],
    // The ns/net links pick one process per network namespace for the perNetns reads.
    links: [
      ...(every ? ['/proc/[0-9]*/ns/net'] : pids.map((p) => `/proc/${p}/ns/net`)),
      // Open files (fd counts, socket inodes) of the processes read: all of them, or the ones shown.
      ...(slow ? (every ? ['/proc/[0-9]*/fd/*'] : pids.map((p) => `/proc/${p}/fd/*`)) : []),
      ...(tier.interfaces ? INTERFACE_LINKS : []),
    ],
    statfs: dockerRoot === '/' ? ['/'] : ['/', dockerRoot],
    cgroups: {
      root: CGROUP_ROOT,
      pattern: CONTAINER_CGROUP_PATTERN,
      // Counters every tick; limits on slow refreshes, and at once for a container seen for the first time.
      files: cgroupFiles,
      paths: tier.cgroupPaths,
      newPathFiles: slow ? [] : [...CGROUP_LIMIT_FILES],
    },
    perNetns: [...(tier.netnsNetDev === false ? [] : NETNS_TICK_FILES), ...(tier.interfaces ? NETNS_LINK_FILES : [])],
    ...(slow ? { perNetnsSockets: NETNS_SLOW_FILES } : {}),
    processFacts: {
      files: PROCESS_FACT_FILES,
      links: PROCESS_FACT_LINKS,
      known: tier.known,
      ...(every ? {} : { newFromListing: true }),
    },
  };
}
