// The Docker socket on an SSH target: a forwarded unix socket (streamlocal), or, when sshd refuses to forward it,
// `docker system dial-stdio` on an exec channel; a refusal is explained (no socket, permission, no CLI).
import { isAbsolute } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { MonitorError } from '../../errors';
import { shellQuote } from '../../validate';
import type { SshChannels } from './channels';
import type { Log } from './names';
import { DEFAULT_READY_TIMEOUT_MS } from './timeouts';

export interface DockerSocketConnection {
  readonly label: string;
  /** The user on the target, named when the socket is not writable to it. */
  readonly user: string;
  readonly log: Log;
  readonly channels: SshChannels;
  /** The client of the target (the last hop); throws once the connection is closed. */
  client(): Client;
  ensureOpen(): void;
}

export async function openDockerSocket(conn: DockerSocketConnection, path: string): Promise<Duplex> {
  if (!isAbsolute(path) || path.includes('\0')) {
    throw new MonitorError(
      `invalid socket path: ${JSON.stringify(path.slice(0, 120))} (must be absolute)`,
      'bad-argument',
    );
  }
  const client = conn.client();
  let forwardError: Error;
  try {
    return await new Promise<Duplex>((resolve, reject) => {
      try {
        client.openssh_forwardOutStreamLocal(path, (err, stream) => (err ? reject(err) : resolve(stream)));
      } catch (e) {
        reject(e as Error);
      }
    });
  } catch (e) {
    forwardError = e as Error;
    conn.ensureOpen();
  }
  // The forward failed: find out why in one round trip, then fall back to the docker CLI when there is one.
  const probe = await conn.channels.run(
    `sh -c ${shellQuote(
      'if [ ! -S "$1" ]; then echo missing; elif [ ! -w "$1" ]; then echo denied; ' +
        'elif command -v docker >/dev/null 2>&1; then echo cli; else echo nocli; fi',
    )} sh ${shellQuote(path)}`,
    { timeoutMs: DEFAULT_READY_TIMEOUT_MS, what: 'checking the Docker socket' },
  );
  const verdict = probe.stdout.toString('utf8').trim();
  if (verdict === 'missing')
    throw new MonitorError(`no Docker socket at ${path} on ${conn.label}`, 'docker-unavailable');
  if (verdict === 'denied') {
    throw new MonitorError(
      `permission denied on ${path} on ${conn.label}: ${conn.user} needs to be in the docker group (or connect as root)`,
      'docker-denied',
    );
  }
  if (verdict !== 'cli') {
    throw new MonitorError(
      `cannot open ${path} on ${conn.label}: sshd refused to forward it (${forwardError.message}; it needs AllowStreamLocalForwarding yes) and there is no docker CLI there for \`docker system dial-stdio\``,
      'docker-unavailable',
    );
  }
  conn.log(`ssh: ${conn.label} refused to forward ${path} (${forwardError.message}); using docker system dial-stdio`);
  await conn.channels.acquire();
  const channel = await conn.channels
    .openExec(`docker --host ${shellQuote(`unix://${path}`)} system dial-stdio`)
    .catch((e: unknown) => {
      conn.channels.release();
      throw e;
    });
  channel.stderr.on('data', (d: Buffer) =>
    conn.log(`docker dial-stdio on ${conn.label}: ${d.toString('utf8').trim()}`),
  );
  channel.once('close', () => conn.channels.release());
  return channel;
}
