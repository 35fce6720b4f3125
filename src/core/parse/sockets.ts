// Parsers for /proc/net/{tcp,tcp6,udp,udp6} and the `socket:[inode]` targets of /proc/PID/fd links.
import type { SocketInfo } from '../model';
import { parseUnsigned, splitLines } from './text';

// include/net/tcp_states.h
const TCP_STATES: Record<string, string> = {
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

/**
 * The kernel prints each 32-bit word of an address with %08X in host byte order. These decoders assume a
 * little-endian host (x86-64, arm64, riscv64), which covers practically every Docker host.
 */
function wordBytes(hex8: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex8.slice(i, i + 2), 16));
  return bytes.reverse();
}

function decodeIpv4(hex: string): string {
  return wordBytes(hex).join('.');
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as `::`, v4-mapped as dotted. */
function decodeIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8)));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLen).join(':')}`;
}

function decodeEndpoint(field: string, v6: boolean): { address: string; port: number } | null {
  const m = (v6 ? /^([0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/ : /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/).exec(field);
  if (!m) return null;
  return { address: v6 ? decodeIpv6(m[1]) : decodeIpv4(m[1]), port: parseInt(m[2], 16) };
}

/**
 * /proc/net/tcp, tcp6, udp or udp6 (one file, whose protocol the caller knows from its name). Unparsable
 * lines are skipped. A UDP socket is "listening" when it is not connected (remote port 0), as `ss -lu` shows.
 */
export function parseProcNetSockets(text: string, protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6'): SocketInfo[] {
  const v6 = protocol.endsWith('6');
  const tcp = protocol.startsWith('tcp');
  const out: SocketInfo[] = [];
  for (const line of splitLines(text)) {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer ...: the inode must be followed by
    // more fields, or it may have been cut.
    const f = line.trim().split(/\s+/);
    if (f.length < 12 || !/^\d+:$/.test(f[0])) continue;
    const local = decodeEndpoint(f[1], v6);
    const remote = decodeEndpoint(f[2], v6);
    const stateHex = f[3].toUpperCase();
    const inode = parseUnsigned(f[9]);
    if (!local || !remote || !/^[0-9A-F]{2}$/.test(stateHex) || inode === null) continue;
    let state = TCP_STATES[stateHex] ?? `UNKNOWN_${stateHex}`;
    if (!tcp && stateHex === '07') state = 'UNCONN';
    out.push({
      protocol,
      state,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      inode,
      listening: tcp ? stateHex === '0A' : remote.port === 0,
    });
  }
  return out;
}

/** `socket:[12345]` (a /proc/PID/fd link target) -> 12345. */
export function socketInodeFromLink(target: string): number | null {
  const m = /^socket:\[(\d{1,20})\]$/.exec(target.trim());
  return m ? Number(m[1]) : null;
}
