// Property tests (fast-check, seeded) for /proc/net/{tcp,tcp6,udp,udp6}: lines printed as net/ipv4/tcp_ipv4.c and
// net/ipv6/tcp_ipv6.c print them on a little-endian host, decoded against an independent oracle (the WHATWG
// URL serializer for IPv6 text, which follows RFC 5952 too).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcNetSockets, socketInodeFromLink } from '../../../src/core/parse/sockets';

const SEED = 20240903;
const RUNS = 1000;

const hex = (n: number | bigint, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');
/** Each 32-bit word of the address as %08X of a little-endian load. */
const words = (bytes: number[]): string => {
  let s = '';
  for (let w = 0; w < bytes.length; w += 4)
    s += bytes
      .slice(w, w + 4)
      .reverse()
      .map((b) => hex(b, 2))
      .join('');
  return s;
};
const addressText = (bytes: number[]): string => {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
};

const STATES = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '0A', '0B', '0C', '0D', '0E', 'FF'];
const NAMES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
  '0D': 'BOUND_INACTIVE',
};

function table(protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6') {
  const len = protocol.endsWith('6') ? 16 : 4;
  // Zero-heavy bytes, so that the :: compression and v4-mapped cases come up often.
  const byte = fc.oneof(fc.constant(0), fc.constant(0xff), fc.nat(255));
  const addr = fc.oneof(
    fc.array(byte, { minLength: len, maxLength: len }),
    fc
      .array(fc.nat(255), { minLength: 4, maxLength: 4 })
      .map((v4) => (len === 4 ? v4 : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
  );
  const sock = fc.record({
    local: addr,
    localPort: fc.nat(65535),
    remote: addr,
    remotePort: fc.oneof(fc.constant(0), fc.nat(65535)),
    state: fc.constantFrom(...STATES),
    uid: fc.nat(),
    inode: fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 32n })).map(Number),
  });
  return fc.array(sock, { maxLength: 10 }).map((socks) => {
    const header = protocol.endsWith('6')
      ? '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
      : '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const lines = socks.map(
      (s, i) =>
        `${String(i).padStart(4)}: ${words(s.local)}:${hex(s.localPort, 4)} ${words(s.remote)}:${hex(s.remotePort, 4)} ${s.state} 00000000:00000000 00:00000000 00000000 ${String(s.uid).padStart(5)} ${String(0).padStart(8)} ${s.inode} 1 0000000000000000 100 0 0 10 0\n`,
    );
    const tcp = protocol.startsWith('tcp');
    const want = socks.map((s) => ({
      protocol,
      state: !tcp && s.state === '07' ? 'UNCONN' : (NAMES[s.state] ?? `UNKNOWN_${s.state}`),
      localAddress: addressText(s.local),
      localPort: s.localPort,
      remoteAddress: addressText(s.remote),
      remotePort: s.remotePort,
      inode: s.inode,
      listening: tcp ? s.state === '0A' : s.remotePort === 0,
    }));
    return { text: header + lines.join(''), want };
  });
}

describe('/proc/net/tcp, tcp6, udp, udp6 (fuzz)', () => {
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    it(`${protocol}: decodes every generated socket; cut at any byte gives the first ones unchanged`, () => {
      fc.assert(
        fc.property(table(protocol), fc.nat(), ({ text, want }, at) => {
          expect(parseProcNetSockets(text, protocol)).toEqual(want);
          const got = parseProcNetSockets(text.slice(0, at % (text.length + 1)), protocol);
          expect(got).toEqual(want.slice(0, got.length));
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('arbitrary text: no throw; ports in range, inodes whole', () => {
    const junk = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            ' ',
            ':',
            '\n',
            '0:',
            '0100007F:0016',
            '0A',
            '00000000000000000000000000000000:0000',
            '12345',
          ),
          fc.string({ unit: 'binary', maxLength: 3 }),
        ),
        { maxLength: 80 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(junk, fc.constantFrom('tcp', 'tcp6', 'udp', 'udp6'), (t, p) => {
        for (const s of parseProcNetSockets(t, p)) {
          for (const port of [s.localPort, s.remotePort])
            expect(Number.isInteger(port) && port >= 0 && port <= 65535).toBe(true);
          expect(Number.isInteger(s.inode) && s.inode >= 0).toBe(true);
        }
        const inode = socketInodeFromLink(t);
        expect(inode === null || Number.isInteger(inode)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
