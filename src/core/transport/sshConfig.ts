// Resolves an SSH target the way OpenSSH would from ~/.ssh/config: HostName, User, Port, IdentityFile,
// IdentityAgent, known_hosts files, ProxyJump and StrictHostKeyChecking.
import { readFile, readdir } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { MonitorError } from './types';
import { validateHostName, validatePort, validateUserName } from '../validate';
import type { OpenOptions, TargetSpec } from './target';

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

export interface SshEnv {
  home: string;
  user: string;
  sshAuthSock: string | null;
  /** Environment for `${VAR}` in paths and `IdentityAgent $VAR`; absent means none are set. */
  vars?: Record<string, string | undefined>;
}

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
const MAX_JUMP_DEPTH = 8;
const MAX_INCLUDE_DEPTH = 16;

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

/** Resolves a target from the text of an ssh config (Include already expanded). Pure: no I/O. */
export function resolveFromConfigText(configText: string, spec: SshTargetSpec, env: SshEnv): ResolvedSshTarget {
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(configText);
  } catch (e) {
    throw new MonitorError(`cannot parse the ssh config: ${(e as Error).message}`, 'bad-argument');
  }
  return resolveOne(config, spec, env, 0);
}

function resolveOne(config: SSHConfig, spec: SshTargetSpec, env: SshEnv, depth: number): ResolvedSshTarget {
  if (depth > MAX_JUMP_DEPTH) {
    throw new MonitorError(`ProxyJump chain for ${spec.host} is longer than ${MAX_JUMP_DEPTH} hops or loops`, 'bad-argument');
  }
  // Match exec would run shell commands from the config: a monitor should not do that behind the user's back.
  const computed = config.compute(
    spec.user === null ? { Host: spec.host } : { Host: spec.host, User: spec.user },
    { ignoreCase: true, matchExec: false },
  );
  const one = (key: string): string | null => {
    const v = computed[key];
    if (v === undefined) return null;
    return Array.isArray(v) ? (v.length > 0 ? v.join(' ') : null) : v;
  };
  const many = (key: string): string[] | null => {
    const v = computed[key];
    if (v === undefined) return null;
    return (Array.isArray(v) ? v : v.split(/\s+/)).filter((s) => s !== '');
  };
  const where = `ssh config for ${spec.host}`;

  const hostNameRaw = one('hostname');
  const host = hostNameRaw === null ? spec.host : checked(where, () => validateHostName(expandTokens(hostNameRaw, { h: spec.host }, 'HostName')));
  const portRaw = one('port');
  const port = spec.port ?? (portRaw === null ? 22 : checked(where, () => validatePort(portRaw)));
  const userRaw = spec.user ?? one('user');
  const user = userRaw === null ? env.user : checked(where, () => validateUserName(userRaw));

  const tokens = { h: host, p: String(port), r: user, u: env.user, d: env.home, n: spec.host };
  const path = (value: string, directive: string): string => {
    const p = expandTokens(expandTilde(expandVars(value, env, directive), env.home), tokens, directive);
    return isAbsolute(p) ? p : join(env.home, p); // relative to HOME, not to whatever cwd the editor has
  };

  const identityRaw = many('identityfile');
  const identityFiles = (identityRaw ?? DEFAULT_IDENTITIES.map((f) => `~/.ssh/${f}`)).map((f) => path(f, 'IdentityFile'));

  let agentSocket: string | null = env.sshAuthSock;
  const agentRaw = one('identityagent');
  if (agentRaw !== null) {
    if (agentRaw === 'none') agentSocket = null;
    else if (agentRaw === 'SSH_AUTH_SOCK' || agentRaw === '$SSH_AUTH_SOCK') agentSocket = env.sshAuthSock;
    else if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(agentRaw)) agentSocket = env.vars?.[agentRaw.slice(1)] || null;
    else agentSocket = path(agentRaw, 'IdentityAgent');
  }

  const userKnown = many('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
  const globalKnown = many('globalknownhostsfile') ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  const knownList = (list: string[], directive: string) =>
    list.length === 1 && list[0] === 'none' ? [] : list.map((f) => path(f, directive));

  const strict = (one('stricthostkeychecking') ?? 'ask').toLowerCase();
  if (!['yes', 'no', 'off', 'ask', 'accept-new'].includes(strict)) {
    throw new MonitorError(`${where}: StrictHostKeyChecking ${JSON.stringify(strict)} is not one of yes, accept-new, no, ask`, 'bad-argument');
  }

  const proxyCommand = one('proxycommand');
  const proxyJump = one('proxyjump');
  if (proxyJump === null && proxyCommand !== null && proxyCommand !== 'none') {
    throw new MonitorError(`${where}: ProxyCommand is not supported; use ProxyJump instead`, 'bad-argument');
  }
  let jump: ResolvedSshTarget[] = [];
  if (proxyJump !== null && proxyJump !== 'none') {
    const hops = proxyJump.split(',').map((s) => s.trim());
    hops.forEach((hopText, i) => {
      const hop = parseUserHostPort(hopText);
      const resolved = resolveOne(config, { kind: 'ssh', alias: null, ...hop }, env, depth + 1);
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
    if (!/^\d{1,6}$/.test(v)) throw new MonitorError(`${where}: ${directive} ${JSON.stringify(v)} is not a number of seconds`, 'bad-argument');
    return Number(v) > 0 ? Number(v) * 1000 : null;
  };

  return {
    alias: spec.alias,
    host,
    port,
    user,
    identityFiles,
    defaultIdentityFiles: identityRaw === null,
    identitiesOnly: yes(one('identitiesonly')),
    agentSocket,
    knownHostsFiles: knownList(userKnown, 'UserKnownHostsFile'),
    globalKnownHostsFiles: knownList(globalKnown, 'GlobalKnownHostsFile'),
    hostKeyAlias: one('hostkeyalias'),
    hashKnownHosts: yes(one('hashknownhosts')),
    jump,
    acceptNew: strict === 'accept-new' || strict === 'no' || strict === 'off',
    refuseUnknown: strict === 'yes',
    connectTimeoutMs: seconds('connecttimeout', 'ConnectTimeout'),
    serverAliveIntervalMs: seconds('serveraliveinterval', 'ServerAliveInterval'),
  };
}

/**
 * Reads ~/.ssh/config (or options.sshConfigPath) and /etc/ssh/ssh_config (only without sshConfigPath, as
 * `ssh -F` does), expands Include, and resolves the target.
 */
export async function resolveSshTarget(spec: SshTargetSpec, options: OpenOptions = {}): Promise<ResolvedSshTarget> {
  const home = options.home ?? homedir();
  const env: SshEnv = {
    home,
    user: localUserName(),
    sshAuthSock: process.env.SSH_AUTH_SOCK || null,
    vars: process.env,
  };
  const userConfig = options.sshConfigPath ?? join(home, '.ssh', 'config');
  let text = await expandIncludes(userConfig, join(home, '.ssh'), home, 0);
  if (options.sshConfigPath === undefined) text += '\n' + (await expandIncludes('/etc/ssh/ssh_config', '/etc/ssh', home, 0));
  const resolved = resolveFromConfigText(text, spec, env);
  const adjust = (t: ResolvedSshTarget): ResolvedSshTarget => ({
    ...t,
    knownHostsFiles: options.knownHostsPath !== undefined ? [options.knownHostsPath] : t.knownHostsFiles,
    acceptNew: t.acceptNew || options.acceptNewHostKey === true,
    jump: t.jump.map(adjust),
  });
  return adjust(resolved);
}

function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
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

function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

function expandVars(p: string, env: SshEnv, directive: string): string {
  return p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = name === 'HOME' ? env.home : env.vars?.[name];
    if (v === undefined) throw new MonitorError(`${directive}: environment variable ${name} is not set`, 'bad-argument');
    return v;
  });
}

function expandTokens(p: string, tokens: Record<string, string>, directive: string): string {
  return p.replace(/%(.)/g, (_, t: string) => {
    if (t === '%') return '%';
    const v = tokens[t];
    if (v === undefined) throw new MonitorError(`${directive} ${JSON.stringify(p)}: token %${t} is not supported`, 'bad-argument');
    return v;
  });
}

/**
 * Inlines `Include` files (globs in the last path component; relative paths are under `baseDir`: ~/.ssh for
 * the user's config, /etc/ssh for the system's, as OpenSSH does). A missing file reads as empty. Inlining is
 * textual, which is exact for the usual top-level Include.
 */
export async function expandIncludes(file: string, baseDir: string, home: string, depth = 0): Promise<string> {
  if (depth > MAX_INCLUDE_DEPTH) throw new MonitorError(`ssh config Include nesting deeper than ${MAX_INCLUDE_DEPTH} at ${file}`, 'bad-argument');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw new MonitorError(`cannot read ssh config ${file}: ${code ?? (e as Error).message}`, 'bad-argument');
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include(?:\s*=\s*|\s+)(.+)$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const raw of m[1].trim().split(/\s+/)) {
      const pattern = expandTilde(raw.replace(/^"(.*)"$/, '$1'), home);
      const abs = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
      for (const f of await globLast(abs)) out.push(await expandIncludes(f, baseDir, home, depth + 1));
    }
  }
  return out.join('\n');
}

async function globLast(p: string): Promise<string[]> {
  const name = basename(p);
  if (!/[*?]/.test(name)) return [p];
  const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    const entries = await readdir(dirname(p));
    return entries.filter((e) => re.test(e) && !e.startsWith('.')).sort().map((e) => join(dirname(p), e));
  } catch {
    return [];
  }
}
