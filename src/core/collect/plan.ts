// What one refresh reads from a target, as a single BatchPlan (one exec over SSH).
import type { BatchPlan } from '../transport/types';
import { CONTAINER_CGROUP_PATTERN } from '../parse/containerId';
import { CGROUP_METRIC_FILES } from '../parse/cgroupMetrics';

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
} as const;

export const PROCESS_FILES = ['stat', 'status', 'cgroup', 'cmdline'] as const;
export const INTERFACE_FILES = ['ifindex', 'iflink', 'mtu', 'address', 'operstate', 'uevent', 'type'] as const;
/** Read through one process of each network namespace: the container's view of its own network. */
export const NETNS_FILES = ['net/dev', 'net/tcp', 'net/tcp6', 'net/udp', 'net/udp6', 'root/sys/class/net/*/iflink'];

export function buildPlan(dockerRoot: string): BatchPlan {
  return {
    files: [
      ...Object.values(HOST_FILES),
      ...PROCESS_FILES.map((f) => `/proc/[0-9]*/${f}`),
      ...INTERFACE_FILES.map((f) => `/sys/class/net/*/${f}`),
    ],
    links: ['/proc/[0-9]*/ns/*', '/proc/[0-9]*/fd/*', '/proc/[0-9]*/exe', '/sys/class/net/*', '/sys/class/net/*/master',
      // A macvlan/ipvlan/vlan has a lower_* link to its parent; a veth never does.
      '/sys/class/net/*/lower_*'],
    statfs: dockerRoot === '/' ? ['/'] : ['/', dockerRoot],
    cgroups: { root: CGROUP_ROOT, pattern: CONTAINER_CGROUP_PATTERN, files: CGROUP_METRIC_FILES },
    perNetns: NETNS_FILES,
  };
}
