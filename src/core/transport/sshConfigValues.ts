// How ssh reads an option's value: `~` and `${VAR}` and %-tokens in paths, and times such as `1m30s` (OpenSSH's
// misc.c: tilde_expand, percent_expand, convtime). Apart from sshConfig.ts, which decides which options apply.
import { join } from 'node:path';
import { MonitorError } from '../errors';
import type { SshEnv } from './sshEnv';

/** OpenSSH's convtime(): `90`, `1m30s`, `1h`; null when malformed. */
export function parseSshTime(v: string): number | null {
  if (/^\d{1,7}$/.test(v)) return Number(v);
  if (!/^(\d{1,7}[sSmMhHdDwW])+$/.test(v)) return null;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const m of v.matchAll(/(\d+)([a-zA-Z])/g)) total += Number(m[1]) * unit[m[2].toLowerCase()];
  return total;
}

/** `~` and `~/x` under HOME, as ssh expands them; anything else as it is. */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

export function expandVars(p: string, env: SshEnv, directive: string): string {
  return p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = name === 'HOME' ? env.home : env.vars?.[name];
    if (v === undefined)
      throw new MonitorError(`${directive}: environment variable ${name} is not set`, 'bad-argument');
    return v;
  });
}

export function expandTokens(p: string, tokens: Record<string, string>, directive: string): string {
  return p.replace(/%(.)/g, (_, t: string) => {
    if (t === '%') return '%';
    const v = tokens[t];
    if (v === undefined)
      throw new MonitorError(`${directive} ${JSON.stringify(p)}: token %${t} is not supported`, 'bad-argument');
    return v;
  });
}
