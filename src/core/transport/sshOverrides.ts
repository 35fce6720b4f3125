// What a target's own settings say about its SSH connection. Its identityFile and jump win over ~/.ssh/config,
// the way `ssh -i KEY -J HOPS` wins over the config file; everything else (known_hosts, agent, HostName of an
// alias) still comes from the config.
import { isAbsolute, join } from 'node:path';
import { parseUserHostPort } from './sshConfig';
import { expandTilde } from './sshConfigValues';
import type { ResolvedSshTarget, SshTargetSpec } from './sshConfig';

export interface SshOverrides {
  /** Instead of the IdentityFiles of the config (`~` and relative paths are under HOME). */
  identityFile?: string;
  /** Instead of ProxyJump: `[user@]host[:port]` hops, comma-separated. */
  jump?: string;
}

/** `~`, `~/x` and relative paths are under HOME (never the editor's working directory). */
export function expandHomePath(path: string, home: string): string {
  const expanded = expandTilde(path, home);
  return isAbsolute(expanded) ? expanded : join(home, expanded);
}

/** The hops of a jump setting, as specs to resolve through the ssh config. */
export function jumpSpecs(jump: string): SshTargetSpec[] {
  return jump.split(',').map((h) => ({ kind: 'ssh' as const, alias: null, ...parseUserHostPort(h.trim()) }));
}

/**
 * The resolved target with the overrides applied. `jumpHops` are the resolved hops of `overrides.jump`
 * in order (null when it sets none): the first hop keeps its own ProxyJump, as `ssh -J a,b` does.
 */
export function applyTargetOverrides(
  resolved: ResolvedSshTarget,
  overrides: SshOverrides,
  home: string,
  jumpHops: ResolvedSshTarget[] | null,
): ResolvedSshTarget {
  const out: ResolvedSshTarget = { ...resolved };
  if (overrides.identityFile !== undefined) {
    out.identityFiles = [expandHomePath(overrides.identityFile, home)];
    out.defaultIdentityFiles = false;
  }
  if (jumpHops !== null) {
    out.jump = jumpHops.flatMap((hop, i) => (i === 0 ? [...hop.jump, { ...hop, jump: [] }] : [{ ...hop, jump: [] }]));
  }
  return out;
}
