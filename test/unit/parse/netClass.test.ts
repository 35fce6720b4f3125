import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InterfaceKind } from '../../../src/core/model';
import { classifyInterface } from '../../../src/core/parse/netClass';
import type { InterfaceFacts } from '../../../src/core/parse/netClass';

const dirUrl = (name: string): URL => new URL(`../fixtures/sys/${name}/`, import.meta.url);
const read = (url: URL): string => readFileSync(url, 'utf8');
const num = (s: string): number => Number(s.trim());

/** What sysfs showed for each interface: copies of /sys/class/net/NAME/{uevent,type,ifindex,iflink}, the link target, lower_* names. */
function sysfsFacts(set: string): InterfaceFacts[] {
  return readdirSync(dirUrl(set)).map((name) => {
    const file = (f: string): string => read(new URL(`${name}/${f}`, dirUrl(set)));
    return {
      name,
      devicePath: file('link').trim(),
      uevent: file('uevent'),
      type: num(file('type')),
      ifindex: num(file('ifindex')),
      iflink: num(file('iflink')),
      hasLowerDevice: file('lower').trim() !== '',
    };
  });
}

/**
 * The independent view: `ip -d -o link show` captured with the sysfs copies. Netlink reports each link's
 * kind (IFLA_INFO_KIND): veth, bridge, ifb, macvlan, ...; a physical NIC has none.
 */
function kindsFromIp(set: string): Map<string, InterfaceKind> {
  const kinds = new Map<string, InterfaceKind>();
  for (const line of read(new URL(`../fixtures/sys/${set}.ip-d-link`, import.meta.url))
    .trim()
    .split('\n')) {
    const parts = line.split('\\');
    const name = parts[0].split(': ')[1].split('@')[0];
    const linkKind = parts[2]?.trim().split(/\s+/)[0] ?? '';
    let kind: InterfaceKind;
    if (parts[1].includes('link/loopback')) kind = 'loopback';
    else if (linkKind === 'veth' || linkKind === 'bridge') kind = linkKind;
    else if (linkKind === '') kind = 'physical';
    else kind = 'virtual';
    kinds.set(name, kind);
  }
  return kinds;
}

describe('classifyInterface', () => {
  it.each([
    ['class-net', 'this host: lo, virtio eth0, ifb, docker0, the host ends of container veths'],
    ['container-class-net', "a container's own view (dm-unlimited): its eth0 is a veth"],
    ['netns-class-net', 'a private netns with a veth pair, a bridge port, a bridge, macvlan, vxlan and tap'],
  ])('agrees with ip -d link for every interface of %s (%s)', (set) => {
    const facts = sysfsFacts(set);
    const expected = kindsFromIp(set);
    expect(facts.map((f) => f.name).sort()).toEqual([...expected.keys()].sort());
    for (const f of facts) expect(classifyInterface(f), f.name).toBe(expected.get(f.name));
  });

  it('covers each kind in the real fixtures', () => {
    const kinds = new Set(['class-net', 'netns-class-net'].flatMap((s) => sysfsFacts(s).map(classifyInterface)));
    expect([...kinds].sort()).toEqual(['bridge', 'loopback', 'physical', 'veth', 'virtual']);
  });

  it('needs the lower-device fact to tell a macvlan from a veth (both: virtual, no DEVTYPE, iflink elsewhere)', () => {
    const mv0 = sysfsFacts('netns-class-net').find((f) => f.name === 'mv0') as InterfaceFacts;
    expect(classifyInterface(mv0)).toBe('virtual');
    const { hasLowerDevice: _unknown, ...withoutLower } = mv0;
    expect(classifyInterface(withoutLower)).toBe('veth');
  });

  it('falls back on the name when sysfs gave little', () => {
    const bare = { devicePath: null, uevent: null, type: null, ifindex: null, iflink: null };
    expect(classifyInterface({ name: 'lo', ...bare })).toBe('loopback');
    expect(classifyInterface({ name: 'veth1234', ...bare })).toBe('veth');
    expect(classifyInterface({ name: 'eth0', ...bare })).toBe('virtual');
    expect(classifyInterface({ name: 'x', ...bare, type: 772 })).toBe('loopback');
  });

  it('does not take a tunnel iflink of 0 for a peer', () => {
    const tunl0 = {
      name: 'tunl0',
      devicePath: '../../devices/virtual/net/tunl0',
      uevent: 'INTERFACE=tunl0\nIFINDEX=3\n',
      type: 768,
      ifindex: 3,
      iflink: 0,
    };
    expect(classifyInterface(tunl0)).toBe('virtual');
  });

  it('classifies a physical NIC by its device path even when named like a veth', () => {
    const nic = {
      name: 'veth-uplink',
      devicePath: '../../devices/pci0000:00/0000:00:03.0/net/veth-uplink',
      uevent: 'INTERFACE=veth-uplink\n',
      type: 1,
      ifindex: 2,
      iflink: 2,
    };
    expect(classifyInterface(nic)).toBe('physical');
    const wlan = {
      name: 'wlan0',
      devicePath: '../../devices/pci0000:00/0000:00:14.3/net/wlan0',
      uevent: 'DEVTYPE=wlan\nINTERFACE=wlan0\n',
      type: 1,
      ifindex: 3,
      iflink: 3,
    };
    expect(classifyInterface(wlan)).toBe('physical');
  });

  it.each(['', '\0', 'DEVTYPE=', 'garbage\nDEVTYPE=bridge\n', 'x'.repeat(10_000)])(
    'never throws on uevent %#',
    (uevent) => {
      expect(() =>
        classifyInterface({ name: 'x', devicePath: 'garbage', uevent, type: NaN, ifindex: -1, iflink: NaN }),
      ).not.toThrow();
    },
  );
});
