// Opens a configured target. The settings entry's identityFile and jump win over ~/.ssh/config, the way
// `ssh -i KEY -J HOPS` wins over the config file; everything else (known_hosts, agent, HostName of an alias)
// still comes from the config.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { openTransport } from '../transport/target';
import type { OpenOptions } from '../transport/target';
import { SshTransport } from '../transport/ssh';
import { parseUserHostPort, resolveSshTarget } from '../transport/sshConfig';
import type { ResolvedSshTarget, SshTargetSpec } from '../transport/sshConfig';
import type { Transport } from '../transport/types';
import { targetSpec } from './targetConfig';
import type { TargetDefinition } from './targetConfig';

/** `~`, `~/x` and relative paths are under HOME (never the editor's working directory). */
export function expandHomePath(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : join(home, path);
}

/** The hops of a jump setting, as specs to resolve through the ssh config. */
export function jumpSpecs(jump: string): SshTargetSpec[] {
  return jump.split(',').map((h) => ({ kind: 'ssh' as const, alias: null, ...parseUserHostPort(h.trim()) }));
}

/**
 * The resolved target with the settings' overrides applied. `jumpHops` are the resolved hops of `def.jump`
 * in order (null when the entry sets none): the first hop keeps its own ProxyJump, as `ssh -J a,b` does.
 */
export function applyTargetOverrides(
  resolved: ResolvedSshTarget,
  def: TargetDefinition,
  home: string,
  jumpHops: ResolvedSshTarget[] | null,
): ResolvedSshTarget {
  const out: ResolvedSshTarget = { ...resolved };
  if (def.identityFile !== undefined) {
    out.identityFiles = [expandHomePath(def.identityFile, home)];
    out.defaultIdentityFiles = false;
  }
  if (jumpHops !== null) {
    out.jump = jumpHops.flatMap((hop, i) => (i === 0 ? [...hop.jump, { ...hop, jump: [] }] : [{ ...hop, jump: [] }]));
  }
  return out;
}

export async function openTarget(def: TargetDefinition, options: OpenOptions = {}): Promise<Transport> {
  const spec = targetSpec(def);
  if (spec.kind === 'local') return openTransport(spec, options);
  const resolved = await resolveSshTarget(spec, options);
  const hops = def.jump === undefined ? null : await Promise.all(jumpSpecs(def.jump).map((h) => resolveSshTarget(h, options)));
  return SshTransport.connect(applyTargetOverrides(resolved, def, options.home ?? homedir(), hops), options);
}
