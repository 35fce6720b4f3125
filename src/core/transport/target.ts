// What the user typed as a target (`local`, `user@host:port`, an ~/.ssh/config alias) and how to open it:
// openTransport is the one door to a connection, for the CLI and (through targets/openTarget) the extension.
import { homedir } from 'node:os';
import { MonitorError } from '../errors';
import type { Transport } from './types';
import { LocalTransport } from './local';
import { SshTransport } from './ssh';
import { parseUserHostPort, resolveSshTarget } from './sshConfig';
import type { OpenOptions, TargetSpec } from './targetTypes';
import { applyTargetOverrides, jumpSpecs } from './sshOverrides';
import type { SshOverrides } from './sshOverrides';

export type { HostKeyInfo, OpenOptions, TargetSpec } from './targetTypes';

/**
 * `local`; `[ssh://][user@]host[:port]`; `[user@][ipv6]:port`; or a bare name, which may be a Host alias of
 * ~/.ssh/config (resolution happens when the target is opened).
 */
export function parseTarget(text: string): TargetSpec {
  const t = text.trim();
  if (t === 'local') return { kind: 'local' };
  if (t === '' || t !== text || t.startsWith('-')) {
    throw new MonitorError(
      `invalid target: ${JSON.stringify(text.slice(0, 80))} (use local, user@host[:port] or an ~/.ssh/config alias)`,
      'bad-argument',
    );
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

/**
 * Opens a target: this machine, or an SSH connection resolved through the ssh config (with ProxyJump hops).
 * `overrides`: what a configured target's own settings say (identityFile, jump), which win over the config.
 */
export async function openTransport(
  spec: TargetSpec,
  options: OpenOptions = {},
  overrides: SshOverrides = {},
): Promise<Transport> {
  if (spec.kind === 'local') return new LocalTransport();
  const resolved = await resolveSshTarget(spec, options);
  const hops =
    overrides.jump === undefined
      ? null
      : await Promise.all(jumpSpecs(overrides.jump).map((h) => resolveSshTarget(h, options)));
  return SshTransport.connect(applyTargetOverrides(resolved, overrides, options.home ?? homedir(), hops), options);
}
