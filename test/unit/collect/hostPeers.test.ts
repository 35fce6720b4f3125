// Container traffic from the host ends of its veths: when the figures can be taken from the host's /proc/net/dev,
// and when not (an interface without a veth peer on the host, an interface the pairing does not know).
import { describe, expect, it } from 'vitest';
import { netDevFromHostPeers, trafficFromHostPeers } from '../../../src/core/collect/assembleContainers';
import { ReadCache } from '../../../src/core/collect/readCache';
import { ROW_DEMAND, FULL_DEMAND } from '../../../src/core/collect/demand';
import type { NetInterface } from '../../../src/core/model';

function iface(name: string, ifindex: number, kind: NetInterface['kind'], rx: number, tx: number): NetInterface {
  return {
    name,
    ifindex,
    iflink: ifindex,
    kind,
    master: null,
    operState: 'up',
    mac: null,
    mtu: 1500,
    rxBytes: rx,
    txBytes: tx,
    rxPackets: rx / 100,
    txPackets: tx / 100,
    rxBytesPerSec: null,
    txBytesPerSec: null,
  };
}
const HOST = [
  iface('lo', 1, 'loopback', 0, 0),
  iface('eth0', 2, 'physical', 9e6, 8e6),
  iface('veth1a', 7, 'veth', 1000, 3000),
];
const NET_DEV =
  'Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n  eth0: 3000 30 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n';

describe('traffic from host veth peers', () => {
  it('gives each container interface what its host peer sent and received, crossed', () => {
    const view = {
      files: new Map([
        ['root/sys/class/net/eth0/iflink', '7\n'],
        ['root/sys/class/net/lo/iflink', '1\n'],
      ]),
    };
    expect(trafficFromHostPeers(view, HOST)).toEqual([
      { name: 'eth0', rxBytes: 3000, txBytes: 1000, rxPackets: 30, txPackets: 10 },
    ]);
    expect(
      netDevFromHostPeers(
        new Map([[4026532001, { files: new Map([...view.files, ['net/dev', NET_DEV]]) }]]),
        HOST,
        undefined,
      ),
    ).toBe(true);
  });

  it('gives nothing for an interface whose host end is not a veth (macvlan: iflink names the parent)', () => {
    const view = { files: new Map([['root/sys/class/net/eth0/iflink', '2\n']]) };
    expect(trafficFromHostPeers(view, HOST)).toBeNull();
    expect(
      netDevFromHostPeers(
        new Map([[4026532001, { files: new Map([...view.files, ['net/dev', NET_DEV]]) }]]),
        HOST,
        undefined,
      ),
    ).toBe(false);
  });

  it("says no when net/dev shows an interface the pairing does not know, and skips the host's own namespace", () => {
    const known = new Map([['root/sys/class/net/eth0/iflink', '7\n']]);
    const more = NET_DEV + '  eth1: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n';
    expect(
      netDevFromHostPeers(new Map([[4026532001, { files: new Map([...known, ['net/dev', more]]) }]]), HOST, undefined),
    ).toBe(false);
    const hostView = {
      files: new Map([
        ['net/dev', NET_DEV],
        ['root/sys/class/net/eth0/iflink', '2\n'],
      ]),
    };
    expect(netDevFromHostPeers(new Map([[4026531840, hostView]]), HOST, 4026531840)).toBe(true);
  });

  it('lets row refreshes leave out net/dev only after a refresh showed the host holds the same figures', () => {
    const cache = new ReadCache(10);
    const first = cache.request(false, ROW_DEMAND);
    expect(first.netnsNetDev).toBe(true);
    cache.complete({ files: new Map(), links: new Map(), statfs: new Map(), durationMs: 1 }, first, 1000);
    expect(cache.request(false, ROW_DEMAND).netnsNetDev).toBe(true); // not shown yet
    cache.netDevFromHostPeers = true;
    expect(cache.request(false, ROW_DEMAND).netnsNetDev).toBe(false);
    expect(cache.request(false, FULL_DEMAND).netnsNetDev).toBe(true); // detail reads them
    expect(cache.request(true, ROW_DEMAND).netnsNetDev).toBe(true); // so does a slow refresh
  });
});
