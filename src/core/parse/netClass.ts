// What kind of network interface a /sys/class/net entry is, from what sysfs shows about it.
import type { InterfaceKind } from '../model';
import { splitLines } from './text';

// include/uapi/linux/if_arp.h
const ARPHRD_LOOPBACK = 772;

export interface InterfaceFacts {
  name: string;
  /** Target of the /sys/class/net/NAME symlink, e.g. `../../devices/virtual/net/veth12ab`. */
  devicePath: string | null;
  /** Contents of /sys/class/net/NAME/uevent. */
  uevent: string | null;
  type: number | null;
  ifindex: number | null;
  iflink: number | null;
  /**
   * Whether /sys/class/net/NAME has a `lower_*` link. macvlan, ipvlan and vlan devices sit on a lower device
   * and, like a veth, have iflink != ifindex; a veth never has a lower device. Leave it out when unknown.
   */
  hasLowerDevice?: boolean;
}

function devType(uevent: string | null): string | null {
  if (uevent === null) return null;
  for (const line of splitLines(uevent)) {
    if (line.startsWith('DEVTYPE=')) return line.slice('DEVTYPE='.length).trim();
  }
  return null;
}

/**
 * loopback: type 772 or named lo. bridge: DEVTYPE=bridge. veth: a virtual device without DEVTYPE whose
 * iflink names another interface (its peer), or one named veth* without DEVTYPE. physical: a device that is
 * not under devices/virtual. Everything else (tun/tap, vxlan, macvlan, bonds, ...) is virtual.
 */
export function classifyInterface(i: InterfaceFacts): InterfaceKind {
  if (i.type === ARPHRD_LOOPBACK || i.name === 'lo') return 'loopback';
  const type = devType(i.uevent);
  if (type === 'bridge') return 'bridge';
  const virtual = i.devicePath === null ? null : /(^|\/)devices\/virtual\//.test(i.devicePath);
  if (virtual === false) return 'physical';
  if (type === null && i.hasLowerDevice !== true) {
    // Tunnels such as ipip report iflink 0: that is no peer.
    const peerElsewhere = i.ifindex !== null && i.iflink !== null && i.iflink > 0 && i.iflink !== i.ifindex;
    if ((virtual === true && peerElsewhere) || i.name.startsWith('veth')) return 'veth';
  }
  return 'virtual';
}
