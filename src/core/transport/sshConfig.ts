// Resolves an SSH target the way OpenSSH would from ~/.ssh/config (sshConfigRead.ts reads the files as
// readconf.c does): HostName, User, Port, IdentityFile, IdentityAgent, known_hosts files, ProxyJump and
// StrictHostKeyChecking, with %-tokens and ~ expanded where ssh expands them (sshConfigValues.ts). What this
// machine gives it (HOME, the user, the agent, the files) is in sshEnv.ts.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readSshConfig } from './sshConfigRead';
import { expandTilde, expandTokens, expandVars, parseSshTime } from './sshConfigValues';
import { localSshEnv, nodeConfigFs } from './sshEnv';
import type { SshEnv } from './sshEnv';
import type { ConfigFile, ConfigFs } from './sshConfigRead';
import { MonitorError } from '../errors';
import { validateHostName, validatePort, validateUserName } from '../validate';
import type { OpenOptions, TargetSpec } from './targetTypes';

export type SshTargetSpec = Extract<TargetSpec, { kind: 'ssh' }>;

export interface ResolvedSshTarget {
  /** The bare name the user typed when it was one (a Host alias or a host name), for labels. */
  alias: string | null;
  /** Address to connect to (HostName). */
  host: string;
  port: number;
  user: string;
  /** Absolute paths, in the order to try them. */
  identityFiles: string[];
  /** True when no IdentityFile was configured and these are OpenSSH's defaults (missing ones are skipped quietly). */
  defaultIdentityFiles: boolean;
  /** IdentitiesOnly yes: only agent keys that match an IdentityFile are offered. */
  identitiesOnly: boolean;
  agentSocket: string | null;
  /** UserKnownHostsFile list; new keys are appended to the first. */
  knownHostsFiles: string[];
  /** GlobalKnownHostsFile list, read only. */
  globalKnownHostsFiles: string[];
  /** HostKeyAlias: the name to look up in known_hosts instead of host:port. */
  hostKeyAlias: string | null;
  /** HashKnownHosts: write new known_hosts entries hashed. */
  hashKnownHosts: boolean;
  /** RevokedHostKeys: a file of public keys never to accept (absent when not set, or `none`). */
  revokedHostKeys?: string;
  /** Jump hosts in connection order (the first is dialled directly); each has an empty jump list. */
  jump: ResolvedSshTarget[];
  /** Unknown host keys are added without asking (StrictHostKeyChecking accept-new/no, or the option). */
  acceptNew: boolean;
  /** StrictHostKeyChecking yes: never ask about an unknown key. */
  refuseUnknown: boolean;
  /** ConnectTimeout, when configured. */
  connectTimeoutMs: number | null;
  /** ServerAliveInterval, when configured. */
  serverAliveIntervalMs: number | null;
}

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
const MAX_JUMP_DEPTH = 8;

/**
 * Parses `[ssh://][user@]host[:port]` and `[user@][ipv6]:port` (also a bare IPv6 address). Validates each part;
 * anything else is a MonitorError('bad-argument').
 */
export function parseUserHostPort(text: string): { host: string; user: string | null; port: number | null } {
  let rest = text.startsWith('ssh://') ? text.slice('ssh://'.length).replace(/\/$/, '') : text;
  if (rest === '' || /[\s\0]/.test(rest)) {
    throw new MonitorError(`invalid SSH target: ${JSON.stringify(text.slice(0, 80))}`, 'bad-argument');
  }
  let user: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = validateUserName(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  let host: string;
  let port: number | null = null;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    if (!host.includes(':')) validateHostName(host);
    if (bracketed[2] !== undefined) port = validatePort(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length >= 2) {
    host = rest; // a bare IPv6 address: no port possible without brackets
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) port = validatePort(rest.slice(colon + 1));
  }
  host = validateHostName(host);
  return { host, user, port };
}

/** Resolves a target from the text of one user config file (its Includes read from `fs`). */
export function resolveFromConfigText(
  configText: string,
  spec: SshTargetSpec,
  env: SshEnv,
  fs: ConfigFs = nodeConfigFs,
): ResolvedSshTarget {
  return resolveFromFiles([{ path: join(env.home, '.ssh', 'config'), text: configText, user: true }], spec, env, fs);
}

/** Resolves a target from config files read in order (the user's, then the system's), as ssh does. */
export function resolveFromFiles(
  files: ConfigFile[],
  spec: SshTargetSpec,
  env: SshEnv,
  fs: ConfigFs = nodeConfigFs,
): ResolvedSshTarget {
  return resolveOne(files, fs, spec, env, 0, true);
}

/**
 * `followJump`: false for the second and later hops of a ProxyJump list. ssh reaches each of them through the
 * hop before it (`ssh -J a,b` dials b through a), so their own ProxyJump and ProxyCommand do not apply; not
 * resolving them also keeps a chain of N hops at N resolutions (N^depth before).
 */
function resolveOne(
  files: ConfigFile[],
  fs: ConfigFs,
  spec: SshTargetSpec,
  env: SshEnv,
  depth: number,
  followJump: boolean,
): ResolvedSshTarget {
  if (depth > MAX_JUMP_DEPTH) {
    throw new MonitorError(
      `ProxyJump chain for ${spec.host} is longer than ${MAX_JUMP_DEPTH} hops or loops`,
      'bad-argument',
    );
  }
  const { options, identityFiles: identityRaw } = readSshConfig(
    files,
    { host: spec.host, user: spec.user, port: spec.port, localUser: env.user, home: env.home },
    fs,
  );
  const one = (key: string): string | null => options.get(key)?.[0] ?? null;
  const where = `ssh config for ${spec.host}`;

  // ssh lower-cases the host name it connects to (after %h in HostName), whether or not HostName was given.
  const hostNameRaw = one('hostname');
  const host = checked(where, () =>
    validateHostName(
      (hostNameRaw === null ? spec.host : expandTokens(hostNameRaw, { h: spec.host }, 'HostName')).toLowerCase(),
    ),
  );
  const portRaw = one('port');
  const port = portRaw === null ? 22 : checked(where, () => validatePort(portRaw));
  const userRaw = one('user');
  const user = userRaw === null ? env.user : checked(where, () => validateUserName(userRaw));

  const tokens: Record<string, string> = {
    h: host,
    p: String(port),
    r: user,
    u: env.user,
    d: env.home,
    n: spec.host,
    k: one('hostkeyalias') ?? host,
    i: String(env.uid ?? 0),
    l: env.localHost ?? 'localhost',
    L: (env.localHost ?? 'localhost').split('.')[0],
  };
  tokens.C = createHash('sha1').update(`${tokens.l}${host}${port}${user}`).digest('hex');
  const path = (value: string, directive: string): string => {
    const p = expandTokens(expandTilde(expandVars(value, env, directive), env.home), tokens, directive);
    // ssh reads a relative path against the directory it was started in, which an editor does not have.
    if (!isAbsolute(p)) {
      throw new MonitorError(
        `${where}: ${directive} ${JSON.stringify(value)} is a relative path; write it as an absolute or ~/ path`,
        'bad-argument',
      );
    }
    return p;
  };

  // `IdentityFile none` counts as configured (no defaults) but names no file, as in ssh.
  const identityFiles = (identityRaw.length > 0 ? identityRaw : DEFAULT_IDENTITIES.map((f) => `~/.ssh/${f}`))
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => path(f, 'IdentityFile'));

  let agentSocket: string | null = env.sshAuthSock;
  const agentRaw = one('identityagent');
  if (agentRaw !== null) {
    if (agentRaw === 'none') agentSocket = null;
    else if (agentRaw === 'SSH_AUTH_SOCK' || agentRaw === '$SSH_AUTH_SOCK') agentSocket = env.sshAuthSock;
    else if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(agentRaw)) agentSocket = env.vars?.[agentRaw.slice(1)] || null;
    else agentSocket = path(agentRaw, 'IdentityAgent');
  }

  const userKnown = options.get('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
  const globalKnown = options.get('globalknownhostsfile') ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  const knownList = (list: string[], directive: string) =>
    list.length === 1 && list[0] === 'none' ? [] : list.map((f) => path(f, directive));

  // OpenSSH's multistate: yes/true, no/false/off, ask, accept-new.
  const strict = (one('stricthostkeychecking') ?? 'ask').toLowerCase();
  if (!['yes', 'true', 'no', 'false', 'off', 'ask', 'accept-new'].includes(strict)) {
    throw new MonitorError(
      `${where}: StrictHostKeyChecking ${JSON.stringify(strict)} is not one of yes, accept-new, no, ask`,
      'bad-argument',
    );
  }

  // OpenSSH runs KnownHostsCommand for more known keys; we run no commands from a config, and resolving the
  // host key without them could take a key as new that the command lists as another (then: changed).
  const knownHostsCommand = one('knownhostscommand');
  if (knownHostsCommand !== null && knownHostsCommand.toLowerCase() !== 'none') {
    throw new MonitorError(
      `${where}: KnownHostsCommand is not supported (Docker Monitor does not run commands from an ssh config); list the keys in a UserKnownHostsFile instead`,
      'bad-argument',
    );
  }
  const revokedRaw = one('revokedhostkeys');
  const revokedHostKeys =
    revokedRaw !== null && revokedRaw.toLowerCase() !== 'none' ? path(revokedRaw, 'RevokedHostKeys') : null;

  const proxyCommand = followJump ? one('proxycommand') : null;
  const proxyJump = followJump ? one('proxyjump') : null;
  if (proxyCommand !== null && proxyCommand.toLowerCase() !== 'none') {
    throw new MonitorError(`${where}: ProxyCommand is not supported; use ProxyJump instead`, 'bad-argument');
  }
  const jump: ResolvedSshTarget[] = [];
  if (proxyJump !== null && proxyJump.toLowerCase() !== 'none') {
    const hops = proxyJump.split(',').map((s) => s.trim());
    if (hops.length > MAX_JUMP_DEPTH) {
      throw new MonitorError(`ProxyJump chain for ${spec.host} is longer than ${MAX_JUMP_DEPTH} hops`, 'bad-argument');
    }
    hops.forEach((hopText, i) => {
      const hop = checked(`${where}: ProxyJump`, () => parseUserHostPort(hopText));
      const resolved = resolveOne(files, fs, { kind: 'ssh', alias: null, ...hop }, env, depth + 1, i === 0);
      // Only the first hop is dialled on its own, so only its own ProxyJump applies (as with `ssh -J a,b`).
      if (i === 0) jump.push(...resolved.jump);
      jump.push({ ...resolved, jump: [] });
    });
    if (jump.length > MAX_JUMP_DEPTH) {
      throw new MonitorError(`ProxyJump chain for ${spec.host} is longer than ${MAX_JUMP_DEPTH} hops`, 'bad-argument');
    }
  }

  const seconds = (key: string, directive: string): number | null => {
    const v = one(key);
    if (v === null || v === 'none') return null;
    const s = parseSshTime(v);
    if (s === null)
      throw new MonitorError(
        `${where}: ${directive} ${JSON.stringify(v)} is not a time (seconds, or e.g. 1m30s)`,
        'bad-argument',
      );
    return s > 0 ? s * 1000 : null;
  };

  return {
    alias: spec.alias,
    host,
    port,
    user,
    identityFiles,
    defaultIdentityFiles: identityRaw.length === 0,
    identitiesOnly: yes(one('identitiesonly')),
    agentSocket,
    knownHostsFiles: knownList(userKnown, 'UserKnownHostsFile'),
    globalKnownHostsFiles: knownList(globalKnown, 'GlobalKnownHostsFile'),
    hostKeyAlias: one('hostkeyalias'),
    hashKnownHosts: yes(one('hashknownhosts')),
    ...(revokedHostKeys !== null ? { revokedHostKeys } : {}),
    jump,
    acceptNew: ['accept-new', 'no', 'false', 'off'].includes(strict),
    refuseUnknown: strict === 'yes' || strict === 'true',
    connectTimeoutMs: seconds('connecttimeout', 'ConnectTimeout'),
    serverAliveIntervalMs: seconds('serveraliveinterval', 'ServerAliveInterval'),
  };
}

/**
 * Reads ~/.ssh/config (or options.sshConfigPath) and /etc/ssh/ssh_config (only without sshConfigPath, as
 * `ssh -F` does), and resolves the target.
 */
export async function resolveSshTarget(spec: SshTargetSpec, options: OpenOptions = {}): Promise<ResolvedSshTarget> {
  const home = options.home ?? homedir();
  const env = localSshEnv(home);
  const files: ConfigFile[] = [{ path: options.sshConfigPath ?? join(home, '.ssh', 'config'), user: true }];
  if (options.sshConfigPath === undefined) files.push({ path: '/etc/ssh/ssh_config', user: false });
  const resolved = resolveFromFiles(files, spec, env);
  const adjust = (t: ResolvedSshTarget): ResolvedSshTarget => ({
    ...t,
    knownHostsFiles: options.knownHostsPath !== undefined ? [options.knownHostsPath] : t.knownHostsFiles,
    acceptNew: t.acceptNew || options.acceptNewHostKey === true,
    jump: t.jump.map(adjust),
  });
  return adjust(resolved);
}

function checked<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MonitorError) throw new MonitorError(`${where}: ${e.message}`, e.code);
    throw e;
  }
}

function yes(v: string | null): boolean {
  return v !== null && v.toLowerCase() === 'yes';
}
