import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SocketInfo } from '../../../src/core/model';
import { parseProcNetSockets, socketInodeFromLink } from '../../../src/core/parse/sockets';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const PROTOCOLS = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

/**
 * The independent view: `ss -tuanHe` run in the same network namespace at the same moment as the /proc/net
 * files were copied (ss asks the kernel over netlink sock_diag, not /proc/net).
 */
function fromSs(text: string): Array<Omit<SocketInfo, 'listening'>> {
  const states: Record<string, string> = { ESTAB: 'ESTABLISHED', LISTEN: 'LISTEN', UNCONN: 'UNCONN' };
  const endpoint = (s: string): { address: string; port: number; v6: boolean } => {
    const colon = s.lastIndexOf(':');
    const host = s.slice(0, colon);
    const port = s.slice(colon + 1);
    const bare = host.replace(/^\[|\]$/g, '');
    // ss prints a dual-stack (AF_INET6, v6only:0) wildcard as "*".
    const v6 = host === '*' || bare.includes(':');
    return { address: host === '*' ? '::' : bare, port: port === '*' ? 0 : Number(port), v6 };
  };
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.trim().split(/\s+/);
      const local = endpoint(f[4]);
      const remote = endpoint(f[5]);
      const inode = Number(/ino:(\d+)/.exec(line)?.[1]);
      const protocol = `${f[0]}${local.v6 ? '6' : ''}` as SocketInfo['protocol'];
      return {
        protocol,
        state: states[f[1]],
        localAddress: local.address,
        localPort: local.port,
        remoteAddress: remote.address,
        remotePort: remote.port,
        inode,
      };
    });
}

const byInode = (a: { inode: number }, b: { inode: number }): number => a.inode - b.inode;

describe('parseProcNetSockets', () => {
  const parsed = PROTOCOLS.flatMap((p) => parseProcNetSockets(fixture(`proc/netns-${p}`), p));

  it('decodes every socket of a namespace exactly as ss shows it (real files, private netns)', () => {
    const expected = fromSs(fixture('proc/netns-ss'));
    expect(expected).toHaveLength(12);
    expect(parsed.map(({ listening: _l, ...rest }) => rest).sort(byInode)).toEqual(expected.sort(byInode));
  });

  it('decodes little-endian IPv4, IPv6, v4-mapped IPv6 (dotted) and the ports', () => {
    const byIno = new Map(parsed.map((s) => [s.inode, s]));
    expect(byIno.get(53902)).toEqual({
      protocol: 'tcp',
      state: 'LISTEN',
      localAddress: '127.0.0.1',
      localPort: 8080,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      inode: 53902,
      listening: true,
    });
    expect(byIno.get(53904)).toMatchObject({
      protocol: 'tcp6',
      localAddress: '2001:db8::1234:5678',
      localPort: 443,
      remoteAddress: '::',
      listening: true,
    });
    expect(byIno.get(53910)).toMatchObject({
      protocol: 'tcp6',
      localAddress: '::ffff:127.0.0.1',
      localPort: 9090,
      state: 'ESTABLISHED',
      listening: false,
    });
    expect(byIno.get(53907)).toMatchObject({ localAddress: '::1', remoteAddress: '::1', remotePort: 9090 });
  });

  it('marks LISTEN tcp and unconnected udp as listening, nothing else', () => {
    const listening = parsed.filter((s) => s.listening).map((s) => `${s.protocol} ${s.localAddress}:${s.localPort}`);
    expect(listening.sort()).toEqual(
      [
        'tcp 127.0.0.1:8080',
        'tcp6 2001:db8::1234:5678:443',
        'tcp6 :::9090',
        'udp 0.0.0.0:5353',
        'udp6 ::1:5354',
      ].sort(),
    );
    const connectedUdp = parsed.find((s) => s.protocol === 'udp' && s.remotePort === 5353);
    expect(connectedUdp).toMatchObject({ state: 'ESTABLISHED', listening: false });
  });

  it("finds httpd's LISTEN on 8080 in a real container namespace (dm-unlimited: tcp6 wildcard, tcp empty)", () => {
    expect(parseProcNetSockets(fixture('proc/container-net-tcp'), 'tcp')).toEqual([]);
    expect(parseProcNetSockets(fixture('proc/container-net-tcp6'), 'tcp6')).toEqual([
      {
        protocol: 'tcp6',
        state: 'LISTEN',
        localAddress: '::',
        localPort: 8080,
        remoteAddress: '::',
        remotePort: 0,
        inode: 9003,
        listening: true,
      },
    ]);
  });

  it('compresses IPv6 as RFC 5952 says: leftmost longest zero run, never a single zero group', () => {
    const line = (hex: string): string =>
      `   5: ${hex}:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n`;
    const addr = (hex: string): string | undefined => parseProcNetSockets(line(hex), 'tcp6')[0]?.localAddress;
    expect(addr('B80D0120000000000000010001000000')).toBe('2001:db8::1:0:0:1');
    expect(addr('B80D0120010000000100010001000100')).toBe('2001:db8:0:1:1:1:1:1');
    expect(addr('000080FE000000000000000001EFCDAB')).toBe('fe80::abcd:ef01');
    expect(addr('0000000000000000FFFF00000A00A8C0')).toBe('::ffff:192.168.0.10');
  });

  it('names the TCP states and keeps an unknown one visible', () => {
    const line = (st: string): string =>
      `   0: 0100007F:1F90 0100007F:BE14 ${st} 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 0 0 10 -1\n`;
    const state = (st: string): string | undefined => parseProcNetSockets(line(st), 'tcp')[0]?.state;
    expect(state('06')).toBe('TIME_WAIT');
    expect(state('08')).toBe('CLOSE_WAIT');
    expect(state('07')).toBe('CLOSE');
    expect(state('7F')).toBe('UNKNOWN_7F');
    expect(parseProcNetSockets(line('07'), 'udp')[0]).toMatchObject({ state: 'UNCONN', listening: false });
  });

  it('skips cut, malformed and wrong-family lines; never throws', () => {
    const full = fixture('proc/netns-tcp');
    for (let n = 0; n <= full.length; n += 4) expect(() => parseProcNetSockets(full.slice(0, n), 'tcp')).not.toThrow();
    // A line cut right after its inode could hold a shortened inode: it is dropped.
    const first = full.split('\n')[1];
    const cut = first.slice(0, first.indexOf('53902') + 4);
    expect(parseProcNetSockets(`${full.split('\n')[0]}\n${cut}`, 'tcp')).toEqual([]);
    // IPv4 text given as tcp6 (and the reverse) does not decode.
    expect(parseProcNetSockets(full, 'tcp6')).toEqual([]);
    expect(parseProcNetSockets(fixture('proc/netns-tcp6'), 'tcp')).toEqual([]);
    expect(parseProcNetSockets('   0: 0100007G:1F90 00000000:0000 0A 0:0 0:0 0 0 0 12 1 0\n', 'tcp')).toEqual([]);
  });

  it.each(['', '\n', 'garbage', '\0\0', ' sl local_address', 'x'.repeat(10_000)])('is empty for garbage %#', (text) => {
    expect(parseProcNetSockets(text, 'udp')).toEqual([]);
  });
});

describe('socketInodeFromLink', () => {
  it('reads the inodes of real /proc/PID/fd link targets and ignores other kinds', () => {
    const targets = fixture('proc/netns-fd-links')
      .trim()
      .split('\n')
      .map((l) => l.split(' -> ')[1]);
    const inodes = targets.map(socketInodeFromLink).filter((n) => n !== null);
    const ssInodes = fromSs(fixture('proc/netns-ss')).map((s) => s.inode);
    expect(inodes.sort()).toEqual(ssInodes.sort());
    expect(socketInodeFromLink('pipe:[53166]')).toBeNull();
    expect(socketInodeFromLink('anon_inode:[eventfd]')).toBeNull();
  });

  it.each(['', 'socket:[]', 'socket:[12a]', 'socket:[-1]', 'socket:12', '/tmp/socket:[1]', 'socket:[1]x'])(
    'rejects %j',
    (t) => {
      expect(socketInodeFromLink(t)).toBeNull();
    },
  );
});
