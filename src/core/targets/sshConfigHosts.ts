// The Host entries of an ssh config that a user can pick as a target: concrete names only (a pattern such as
// `*.prod` or `!db` names no host), with what each resolves to, for "Add SSH Target".
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { Line } from 'ssh-config';
import { expandIncludes, resolveFromConfigText } from '../transport/sshConfig';
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
 * A config file's text with its `Include`s inlined, as the SSH transport reads it. An unreadable file or a bad
 * Include reads as empty here: the list of hosts is a convenience, and connecting says what is wrong.
 */
export async function readConfigWithIncludes(file: string, baseDir: string, home: string): Promise<string> {
  try {
    return await expandIncludes(file, baseDir, home);
  } catch {
    return '';
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
