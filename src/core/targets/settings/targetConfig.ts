// The `dockerMonitor.targets` setting: what a user may write there, checked entry by entry, and the stable id
// each target gets (tree ids and panel state keep it across reloads). Pure: no I/O, no vscode.
import { MonitorError } from '../../errors';
import { parseTarget } from '../../transport/target';
import type { TargetSpec } from '../../transport/target';
import { parseUserHostPort } from '../../transport/sshConfig';
import { validateHostName, validatePort, validateUserName } from '../../validate';
import { sshAddress } from '../../identity';

/** A target as the extension knows it (serviceApi's TargetState.config). */
export interface TargetDefinition {
  /** 'local' or 'ssh:<name>'. */
  id: string;
  name: string;
  kind: 'local' | 'ssh';
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  /** ProxyJump: comma-separated `[user@]host[:port]` hops, dialled in order. */
  jump?: string;
}

/** One entry as written in settings.json (before checking). */
export interface TargetSetting {
  name?: string;
  host: string;
  port?: number;
  user?: string;
  identityFile?: string;
  jump?: string;
}

export const LOCAL_TARGET_ID = 'local';
const LOCAL_TARGET_NAME = 'Local';
const SSH_PREFIX = 'ssh:';
const MAX_NAME = 64;
const MAX_PATH = 4096;
const KNOWN_KEYS = new Set(['name', 'host', 'port', 'user', 'identityFile', 'jump']);

export function sshTargetId(name: string): string {
  return SSH_PREFIX + name;
}

export function localTarget(): TargetDefinition {
  return { id: LOCAL_TARGET_ID, name: LOCAL_TARGET_NAME, kind: 'local' };
}

/** A target name: shown in the tree and used in ids, so printable, one line, and short. */
function validateTargetName(name: string): string {
  const n = name.trim();
  if (n === '' || n.length > MAX_NAME || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(n)) {
    throw new MonitorError(
      `invalid target name: ${JSON.stringify(name.slice(0, 80))} (1 to ${MAX_NAME} printable characters)`,
      'bad-argument',
    );
  }
  return n;
}

/** `a,b` ProxyJump hops, each `[user@]host[:port]`; returns the list normalised to `a,b`. */
export function validateJump(jump: string): string {
  const hops = jump.split(',').map((h) => h.trim());
  if (hops.length === 0 || hops.some((h) => h === '')) {
    throw new MonitorError(
      `invalid jump hosts: ${JSON.stringify(jump.slice(0, 120))} (use [user@]host[:port], comma-separated)`,
      'bad-argument',
    );
  }
  for (const h of hops) {
    try {
      parseUserHostPort(h);
    } catch (e) {
      if (e instanceof MonitorError)
        throw new MonitorError(`invalid jump host ${JSON.stringify(h.slice(0, 80))}: ${e.message}`, 'bad-argument');
      throw e;
    }
  }
  return hops.join(',');
}

function validateIdentityFile(path: string): string {
  if (path.trim() === '' || path.length > MAX_PATH || path.includes('\0') || /[\r\n]/.test(path)) {
    throw new MonitorError(`invalid identityFile: ${JSON.stringify(path.slice(0, 80))}`, 'bad-argument');
  }
  return path;
}

/** The text a user would type for this target: `user@host:port` with what is set (see sshAddress). */
export function targetAddress(t: { host?: string; port?: number; user?: string }): string {
  return sshAddress({ user: t.user, host: t.host ?? '', port: t.port });
}

/** Checks one settings entry; throws a MonitorError naming the field that is wrong. */
export function parseTargetSetting(raw: unknown): TargetDefinition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MonitorError(
      'not an object (expected { "name", "host", "port", "user", "identityFile", "jump" })',
      'bad-argument',
    );
  }
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) throw new MonitorError(`unknown field ${JSON.stringify(unknown[0])}`, 'bad-argument');
  const str = (key: string): string | undefined => {
    const v = r[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new MonitorError(`"${key}" must be a string`, 'bad-argument');
    return v;
  };
  const hostText = str('host');
  if (hostText === undefined) throw new MonitorError('"host" is missing', 'bad-argument');
  if (hostText.includes('@'))
    throw new MonitorError(
      `"host" ${JSON.stringify(hostText.slice(0, 80))} holds a user: put it in "user"`,
      'bad-argument',
    );
  const host = validateHostName(hostText.trim());
  const def: TargetDefinition = { id: '', name: '', kind: 'ssh', host };
  const portRaw = r.port;
  if (portRaw !== undefined && portRaw !== null && portRaw !== '') {
    if (typeof portRaw !== 'number' && typeof portRaw !== 'string')
      throw new MonitorError('"port" must be a number', 'bad-argument');
    def.port = validatePort(portRaw);
  }
  const user = str('user');
  if (user !== undefined) def.user = validateUserName(user);
  const identityFile = str('identityFile');
  if (identityFile !== undefined) def.identityFile = validateIdentityFile(identityFile);
  const jump = str('jump');
  if (jump !== undefined) def.jump = validateJump(jump);
  const name = validateTargetName(str('name') ?? targetAddress(def));
  def.name = name;
  def.id = sshTargetId(name);
  return def;
}

export interface ParsedTargets {
  targets: TargetDefinition[];
  /** One line per entry that was skipped, for the user. */
  problems: string[];
}

/** Local (when shown) first, then every valid entry of `dockerMonitor.targets` in order; names must be unique. */
export function parseTargetSettings(raw: unknown, showLocal: boolean): ParsedTargets {
  const targets: TargetDefinition[] = showLocal ? [localTarget()] : [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { targets, problems };
  if (!Array.isArray(raw)) return { targets, problems: ['dockerMonitor.targets must be an array of targets; ignored'] };
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    try {
      const def = parseTargetSetting(entry);
      if (seen.has(def.id))
        throw new MonitorError(`the name ${JSON.stringify(def.name)} is used by an earlier entry`, 'bad-argument');
      seen.add(def.id);
      targets.push(def);
    } catch (e) {
      if (!(e instanceof MonitorError)) throw e;
      problems.push(`dockerMonitor.targets[${i}] skipped: ${e.message}`);
    }
  });
  return { targets, problems };
}

/**
 * How the transport layer should open a target. As with the CLI's `--target`, a bare host name is an alias
 * (it labels the connection and the snapshot's `target`); otherwise the label is `user@host:port`.
 */
export function targetSpec(def: TargetDefinition): TargetSpec {
  if (def.kind === 'local') return { kind: 'local' };
  if (def.host === undefined) throw new MonitorError(`target ${def.name} has no host`, 'bad-argument');
  const bare =
    def.user === undefined &&
    def.port === undefined &&
    !def.host.includes(':') &&
    !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(def.host);
  return { kind: 'ssh', alias: bare ? def.host : null, host: def.host, user: def.user ?? null, port: def.port ?? null };
}

/** The settings entry for a definition: only the fields that are set, in a fixed order. */
export function toSetting(def: TargetDefinition): TargetSetting {
  const out: TargetSetting = { name: def.name, host: def.host ?? '' };
  if (def.port !== undefined) out.port = def.port;
  if (def.user !== undefined) out.user = def.user;
  if (def.identityFile !== undefined) out.identityFile = def.identityFile;
  if (def.jump !== undefined) out.jump = def.jump;
  return out;
}

/** A name not yet taken: `base`, then `base (2)`, `base (3)`... */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})`;
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * A new entry from what the user typed in "Add SSH Target" (`user@host[:port]`, or a bare name that may be an
 * ~/.ssh/config alias). Throws MonitorError('bad-argument') with the reason.
 */
export function settingFromTyped(text: string, takenNames: Iterable<string>): TargetDefinition {
  const t = text.trim();
  if (t === '') throw new MonitorError('type user@host[:port] or an ~/.ssh/config Host alias', 'bad-argument');
  const p = parseTarget(t);
  if (p.kind === 'local')
    throw new MonitorError(
      'Local is built in (setting dockerMonitor.showLocalTarget); type user@host[:port]',
      'bad-argument',
    );
  const def: TargetDefinition = { id: '', name: '', kind: 'ssh', host: p.host };
  if (p.user !== null) def.user = p.user;
  if (p.port !== null) def.port = p.port;
  def.name = uniqueName(targetAddress(def), takenNames);
  def.id = sshTargetId(def.name);
  return def;
}

/** Whether two definitions open the same connection (a settings edit that changes nothing keeps it open). */
export function sameTarget(a: TargetDefinition, b: TargetDefinition): boolean {
  return (
    a.id === b.id &&
    a.kind === b.kind &&
    a.host === b.host &&
    a.port === b.port &&
    a.user === b.user &&
    a.identityFile === b.identityFile &&
    a.jump === b.jump
  );
}
