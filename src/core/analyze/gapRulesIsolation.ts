// Gap rules on isolation: a container that shares the host's network or PID namespace, runs privileged, or whose
// bridge network has no host-side veth to be seen through.
import type { ContainerInfo } from '../model';
import { containerSubject, finding, nameOf, running } from './gapFinding';
import type { GapRule } from './gapFinding';

function usesHostNetwork(c: ContainerInfo): boolean {
  return c.network.mode === 'host' || c.namespaces.net?.sharedWithHost === true;
}

/** On a bridge or user network of its own (not host, none, another container's namespace, or unknown). */
function isBridged(c: ContainerInfo): boolean {
  const m = c.network.mode;
  return !usesHostNetwork(c) && m !== 'none' && m !== 'unknown' && !m.startsWith('container:');
}

export const hostNetwork: GapRule = (s) =>
  s.containers.filter(usesHostNetwork).map((c) =>
    finding(
      'host-network',
      'container-host',
      'warning',
      containerSubject(c),
      `${nameOf(c)} shares the host's network namespace (mode ${c.network.mode}): it can bind any host port and use ` +
        `all ${s.host.interfaces.length} host interface(s), and its traffic cannot be told apart from the host's`,
      {
        networkMode: c.network.mode,
        netNamespace: c.namespaces.net?.inode ?? null,
        hostNetNamespace: s.host.namespaces.net ?? null,
        hostInterfaces: s.host.interfaces.length,
      },
    ),
  );

export const hostPidNamespace: GapRule = (s) =>
  s.containers
    .filter((c) => c.pidMode === 'host' || c.namespaces.pid?.sharedWithHost === true)
    .map((c) =>
      finding(
        'host-pid-namespace',
        'container-host',
        'critical',
        containerSubject(c),
        `${nameOf(c)} shares the host's PID namespace: it sees all ${s.processes.length} host processes and, as root, can signal or ptrace them`,
        {
          pidMode: c.pidMode,
          pidNamespace: c.namespaces.pid?.inode ?? null,
          hostPidNamespace: s.host.namespaces.pid ?? null,
          hostProcesses: s.processes.length,
        },
      ),
    );

export const privileged: GapRule = (s) =>
  s.containers
    .filter((c) => c.privileged === true)
    .map((c) =>
      finding(
        'privileged',
        'container-host',
        'critical',
        containerSubject(c),
        `${nameOf(c)} is privileged: every capability and host device, no seccomp or AppArmor confinement; root inside is root on ${s.host.hostname}`,
        { privileged: true, state: c.state },
      ),
    );

export const vethUnpaired: GapRule = (s) =>
  running(s)
    .filter((c) => isBridged(c) && c.network.hostVeth === null)
    .map((c) => {
      const n = c.network;
      const why =
        n.containerIflink === null
          ? `the iflink of its interface could not be read`
          : `no host interface has ifindex ${n.containerIflink} (the iflink of its ${n.containerInterface ?? 'interface'})`;
      return finding(
        'veth-unpaired',
        'container-host',
        'warning',
        containerSubject(c),
        `${nameOf(c)} is on network ${n.mode} but its host-side veth was not found: ${why}`,
        {
          networkMode: n.mode,
          containerInterface: n.containerInterface,
          containerIflink: n.containerIflink,
          ipAddress: n.ipAddress,
        },
      );
    });
