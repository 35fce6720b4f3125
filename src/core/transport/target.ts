// What the user typed as a target (`local`, `user@host:port`, an ~/.ssh/config alias) and how to open it.
import { MonitorError } from './types';
import type { Transport } from './types';
import { LocalTransport } from './local';
import { SshTransport } from './ssh';
import { parseUserHostPort, resolveSshTarget } from './sshConfig';

export type TargetSpec =
  | { kind: 'local' }
  | { kind: 'ssh'; alias: string | null; host: string; user: string | null; port: number | null };

export interface HostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface OpenOptions {
  /** Add an unknown host key to known_hosts without asking (`--accept-new-host-key`). */
  acceptNewHostKey?: boolean;
  askPassword?: (prompt: string) => Promise<string | undefined>;
  askPassphrase?: (keyPath: string) => Promise<string | undefined>;
  /** Asked about an unknown host key when neither acceptNewHostKey nor StrictHostKeyChecking decides. */
  confirmHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** HOME for `~`, ~/.ssh/config and the default key and known_hosts paths. */
  home?: string;
  /** Instead of ~/.ssh/config; also skips /etc/ssh/ssh_config, as `ssh -F` does. */
  sshConfigPath?: string;
  /** Replaces UserKnownHostsFile. */
  knownHostsPath?: string;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Progress lines for the user; never carries secrets. */
  log?: (line: string) => void;
}

/**
 * `local`; `[ssh://][user@]host[:port]`; `[user@][ipv6]:port`; or a bare name, which may be a Host alias of
 * ~/.ssh/config (resolution happens when the target is opened).
 */
export function parseTarget(text: string): TargetSpec {
  const t = text.trim();
  if (t === 'local') return { kind: 'local' };
  if (t === '' || t !== text || t.startsWith('-')) {
    throw new MonitorError(`invalid target: ${JSON.stringify(text.slice(0, 80))} (use local, user@host[:port] or an ~/.ssh/config alias)`, 'bad-argument');
  }
  let parsed: ReturnType<typeof parseUserHostPort>;
  try {
    parsed = parseUserHostPort(t);
  } catch (e) {
    if (e instanceof MonitorError) {
      throw new MonitorError(`invalid target ${JSON.stringify(t.slice(0, 80))}: ${e.message}`, 'bad-argument');
    }
    throw e;
  }
  const bare = parsed.user === null && parsed.port === null && !t.includes(':') && !t.startsWith('ssh://');
  const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(parsed.host);
  return { kind: 'ssh', alias: bare && !ipv4 ? parsed.host : null, ...parsed };
}

export async function openTransport(spec: TargetSpec, options: OpenOptions = {}): Promise<Transport> {
  if (spec.kind === 'local') return new LocalTransport();
  const resolved = await resolveSshTarget(spec, options);
  return SshTransport.connect(resolved, options);
}
