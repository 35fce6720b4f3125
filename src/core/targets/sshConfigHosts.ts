// The Host entries of an ssh config that a user can pick as a target: concrete names only (a pattern such as
// `*.prod` or `!db` names no host), with what each resolves to, for "Add SSH Target".
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { Line } from 'ssh-config';
import { resolveFromConfigText } from '../transport/sshConfig';
import type { SshEnv } from '../transport/sshConfig';
import { hostPort } from '../transport/ssh';

export interface ConfigHost {
  alias: string;
  /** Where the alias leads, when the config resolves: enough to write a self-contained settings entry. */
  resolved: {
    host: string;
    port: number;
    user: string;
    /** The first IdentityFile the config names (null when it names none and OpenSSH's defaults apply). */
    identityFile: string | null;
    /** ProxyJump hops as `user@host:port,...`, or null. */
    jump: string | null;
  } | null;
  /** The config file it was listed in. */
  file: string;
}

const MAX_INCLUDE_DEPTH = 16;

function values(line: Line): string[] {
  if (line.type !== SSHConfig.DIRECTIVE) return [];
  const v = line.value;
  return typeof v === 'string' ? v.split(/\s+/).filter((s) => s !== '') : v.map((x) => x.val);
}

/** Concrete Host names of a config text, in file order, without duplicates. Unparsable text gives none. */
export function configHostAliases(text: string): string[] {
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    for (const pattern of values(line)) {
      if (/[*?!]/.test(pattern) || /[\s\0]/.test(pattern) || out.includes(pattern)) continue;
      out.push(pattern);
    }
  }
  return out;
}

/** The hosts of one config text (Includes already inlined), each resolved as ssh would. */
export function configHosts(text: string, file: string, env: SshEnv): ConfigHost[] {
  return configHostAliases(text).map((alias) => {
    let resolved: ConfigHost['resolved'] = null;
    try {
      const r = resolveFromConfigText(text, { kind: 'ssh', alias, host: alias, user: null, port: null }, env);
      resolved = {
        host: r.host,
        port: r.port,
        user: r.user,
        identityFile: r.defaultIdentityFiles ? null : (r.identityFiles[0] ?? null),
        jump: r.jump.length > 0 ? r.jump.map((j) => `${j.user}@${hostPort(j.host, j.port)}`).join(',') : null,
      };
    } catch {
      // An alias whose settings do not resolve is still offered: connecting will say what is wrong.
    }
    return { alias, resolved, file };
  });
}

/**
 * A config file's text with its `Include`s inlined (globs in the last path component; relative paths under
 * `baseDir`, ~/.ssh for a user config). A missing or unreadable file reads as empty: the list is a convenience.
 */
export async function readConfigWithIncludes(file: string, baseDir: string, home: string, depth = 0): Promise<string> {
  if (depth > MAX_INCLUDE_DEPTH) return '';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return '';
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include(?:\s*=\s*|\s+)(.+)$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const raw of m[1].trim().split(/\s+/)) {
      const unquoted = raw.replace(/^"(.*)"$/, '$1');
      const tilde = unquoted === '~' ? home : unquoted.startsWith('~/') ? join(home, unquoted.slice(2)) : unquoted;
      const abs = isAbsolute(tilde) ? tilde : join(baseDir, tilde);
      for (const f of await globLast(abs)) out.push(await readConfigWithIncludes(f, baseDir, home, depth + 1));
    }
  }
  return out.join('\n');
}

async function globLast(p: string): Promise<string[]> {
  const name = basename(p);
  if (!/[*?]/.test(name)) return [p];
  const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return (await readdir(dirname(p))).filter((e) => re.test(e) && !e.startsWith('.')).sort().map((e) => join(dirname(p), e));
  } catch {
    return [];
  }
}

/** Every concrete host of the given config files, the first file's first; an alias listed twice keeps its first. */
export async function listConfigHosts(files: string[], env: SshEnv): Promise<ConfigHost[]> {
  const out: ConfigHost[] = [];
  for (const file of files) {
    // OpenSSH reads a user config's relative Includes under ~/.ssh, wherever the file itself is.
    const text = await readConfigWithIncludes(file, join(env.home, '.ssh'), env.home);
    for (const h of configHosts(text, file, env)) if (!out.some((o) => o.alias === h.alias)) out.push(h);
  }
  return out;
}
