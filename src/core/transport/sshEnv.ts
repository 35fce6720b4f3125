// What resolving an ssh config reads from the machine we run on: HOME, the local user, the agent socket, the
// environment (for ${VAR} and IdentityAgent $VAR) and the file system (the config files and their Includes). Kept
// apart from the resolution (sshConfig.ts) so that tests and the settings picker give their own.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { globExpansion } from './glob';
import type { ConfigFs } from './sshConfigRead';
import { MonitorError } from '../errors';

export interface SshEnv {
  home: string;
  user: string;
  sshAuthSock: string | null;
  /** Environment for `${VAR}` in paths and `IdentityAgent $VAR`; absent means none are set. */
  vars?: Record<string, string | undefined>;
  /** For the %i token. */
  uid?: number;
  /** This machine's host name, for %l and %L. */
  localHost?: string;
}

/** The real file system, for Include and the config files themselves. Config files are small: read in one go. */
export const nodeConfigFs: ConfigFs = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new MonitorError(`cannot read ssh config ${path}: ${code ?? (e as Error).message}`, 'bad-argument');
    }
  },
  glob(pattern) {
    const steps = globExpansion(pattern);
    let step = steps.next();
    while (!step.done) {
      step = steps.next(
        step.value.map((dir) => {
          try {
            return readdirSync(dir);
          } catch {
            return [];
          }
        }),
      );
    }
    return step.value.filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  },
};

/** This process's view of what ssh would see: HOME, the local user, the agent socket, the environment. */
export function localSshEnv(home: string = homedir()): SshEnv {
  return {
    home,
    user: localUserName(),
    sshAuthSock: process.env.SSH_AUTH_SOCK || null,
    vars: process.env,
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    localHost: hostname(),
  };
}

function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}
