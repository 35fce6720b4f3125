// What a failed connection means for the user, by MonitorError code: a short title for the tree row, an icon,
// and what to do. The engine's own message (the precise cause) is shown next to it.
import type { Icon } from './icons';

export interface ConnectionProblem {
  title: string;
  icon: Icon;
  advice: string;
}

const PROBLEMS: Record<string, ConnectionProblem> = {
  'host-key-changed': {
    title: 'Host key changed: connection refused',
    icon: { id: 'shield', color: 'charts.red' },
    advice:
      'The server presented a different host key than the one known_hosts holds. Someone could be intercepting the ' +
      "connection, or the host was reinstalled. Check the new key with the host's administrator and remove the old " +
      'known_hosts line before retrying.',
  },
  'host-key-unknown': {
    title: 'Host key not trusted',
    icon: { id: 'key', color: 'charts.yellow' },
    advice:
      "This host's key is not in known_hosts. Retry to see its SHA256 fingerprint, and accept it only after checking " +
      "it with the host's administrator.",
  },
  'auth-failed': {
    title: 'Authentication failed',
    icon: { id: 'lock', color: 'charts.red' },
    advice:
      'Check the user name, the identity file (or the keys in ssh-agent) and that the server accepts them, then retry.',
  },
  unreachable: {
    title: 'Host unreachable',
    icon: { id: 'debug-disconnect', color: 'charts.red' },
    advice: 'Check the host name, the port, the network and the jump host if there is one, then retry.',
  },
  timeout: {
    title: 'Connection timed out',
    icon: { id: 'debug-disconnect', color: 'charts.red' },
    advice: 'The host did not answer in time. Check the network and the jump host if there is one, then retry.',
  },
  'docker-denied': {
    title: 'Docker socket access denied',
    icon: { id: 'lock', color: 'charts.red' },
    advice:
      'This user may not use the Docker socket: add it to the docker group on the host (or connect as another user).',
  },
  'docker-unavailable': {
    title: 'Docker unavailable',
    icon: { id: 'warning', color: 'charts.yellow' },
    advice: 'The Docker daemon does not answer on its socket. Check that dockerd runs on the host.',
  },
  'bad-argument': {
    title: 'Invalid target settings',
    icon: { id: 'error', color: 'charts.red' },
    advice: 'Fix this target in the dockerMonitor.targets setting (or in ~/.ssh/config), then retry.',
  },
  'not-found': {
    title: 'Target not found',
    icon: { id: 'error', color: 'charts.red' },
    advice: 'Check the host alias in ~/.ssh/config and the dockerMonitor.targets setting, then retry.',
  },
};

const UNKNOWN: ConnectionProblem = {
  title: 'Cannot connect',
  icon: { id: 'error', color: 'charts.red' },
  advice: 'See the Docker Monitor output channel for details, then retry.',
};

export function connectionProblem(code: string | null): ConnectionProblem {
  return (code !== null && Object.hasOwn(PROBLEMS, code) ? PROBLEMS[code] : undefined) ?? UNKNOWN;
}
