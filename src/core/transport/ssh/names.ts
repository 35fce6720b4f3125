// How the SSH transport names a host in messages and log lines.
import type { ResolvedSshTarget } from '../sshConfig';

export type Log = (line: string) => void;

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function hopName(t: ResolvedSshTarget): string {
  return `${t.user}@${hostPort(t.host, t.port)}`;
}
