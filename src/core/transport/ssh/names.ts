// How the SSH transport names a host in messages and log lines.
import type { ResolvedSshTarget } from '../sshConfig';
import { sshAddress } from '../../identity';

export type Log = (line: string) => void;

export function hostPort(host: string, port: number): string {
  return sshAddress({ host, port }, { keepDefaultPort: true });
}

export function hopName(t: ResolvedSshTarget): string {
  return sshAddress(t, { keepDefaultPort: true });
}
