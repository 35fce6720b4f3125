// The Host entries of an ssh config that a user can pick as a target: concrete names only (a pattern such as
// `*.prod` or `!db` names no host), with what each resolves to, for "Add SSH Target".
import { resolveFromFiles } from '../../transport/sshConfig';
import { nodeConfigFs } from '../../transport/sshEnv';
import type { SshEnv } from '../../transport/sshEnv';
import { hostPatterns } from '../../transport/sshConfigRead';
import type { ConfigFile, ConfigFs } from '../../transport/sshConfigRead';
import { isHostPattern } from '../../transport/sshPattern';
import { sshAddress } from '../../identity';

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

/** Concrete Host names of a config (and its Includes), in file order, without duplicates. */
export function configHostAliases(file: ConfigFile, home: string, fs: ConfigFs = nodeConfigFs): string[] {
  const out: string[] = [];
  for (const pattern of hostPatterns(file, home, fs)) {
    if (isHostPattern(pattern) || /[\s\0]/.test(pattern) || pattern === '' || out.includes(pattern)) continue;
    out.push(pattern);
  }
  return out;
}

/** The hosts of one config file, each resolved as ssh would. */
function configHosts(file: ConfigFile, env: SshEnv, fs: ConfigFs = nodeConfigFs): ConfigHost[] {
  return configHostAliases(file, env.home, fs).map((alias) => {
    let resolved: ConfigHost['resolved'] = null;
    try {
      const r = resolveFromFiles([file], { kind: 'ssh', alias, host: alias, user: null, port: null }, env, fs);
      resolved = {
        host: r.host,
        port: r.port,
        user: r.user,
        identityFile: r.defaultIdentityFiles ? null : (r.identityFiles[0] ?? null),
        jump: r.jump.length > 0 ? r.jump.map((j) => sshAddress(j, { keepDefaultPort: true })).join(',') : null,
      };
    } catch {
      // An alias whose settings do not resolve is still offered: connecting will say what is wrong.
    }
    return { alias, resolved, file: file.path };
  });
}

/** Every concrete host of the given config files, the first file's first; an alias listed twice keeps its first. */
export async function listConfigHosts(files: string[], env: SshEnv): Promise<ConfigHost[]> {
  const out: ConfigHost[] = [];
  for (const file of files) {
    // OpenSSH reads a user config's relative Includes under ~/.ssh, wherever the file itself is.
    for (const h of configHosts({ path: file, user: true }, env))
      if (!out.some((o) => o.alias === h.alias)) out.push(h);
  }
  return out;
}
