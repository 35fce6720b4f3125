// Establishing the SSH connection: the ProxyJump hops in order, each through a TCP channel of the one before,
// then the target; each hop's handshake with its own timer, host key policy and authentication, and its
// failures mapped to one MonitorError that says which hop and why.
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, Client, ConnectConfig, HostVerifier } from 'ssh2';
import type { ResolvedSshTarget } from '../sshConfig';
import type { OpenOptions } from '../targetTypes';
import { MonitorError, toMonitorError } from '../../errors';
import { makeAuth } from './auth';
import type { Asking } from './auth';
import { loadHostKeyPolicy } from './hostKeyPolicy';
import { hopName, hostPort } from './names';
import { loadSsh2 } from './ssh2Module';
import type { Log } from './names';
import { DEFAULT_READY_TIMEOUT_MS } from './timeouts';

const DEFAULT_KEEPALIVE_MS = 15_000;
/** ServerAliveCountMax's default: three unanswered keepalives mean the link is gone. */
const KEEPALIVE_COUNT_MAX = 3;

/** Connects the jump hosts in order, then the target through them: the clients, jump hosts first, the target last. */
export async function connectChain(resolved: ResolvedSshTarget, options: OpenOptions = {}): Promise<Client[]> {
  const clients: Client[] = [];
  const log = options.log ?? (() => undefined);
  try {
    const hops = [...resolved.jump, resolved];
    for (const [i, hop] of hops.entries()) {
      let sock: Duplex | undefined;
      let via: string | null = null;
      if (i > 0) {
        via = hopName(hops[i - 1]);
        sock = await forwardOut(clients[i - 1], hop, via);
      }
      log(`ssh: connecting to ${hopName(hop)}${via ? ` via ${via}` : ''}`);
      clients.push(await connectHop(hop, options, sock, via));
    }
  } catch (e) {
    for (const c of clients.reverse()) c.end();
    throw e;
  }
  log(`ssh: connected to ${hopName(resolved)}`);
  return clients;
}

/** Opens a TCP channel from a jump host to the next hop: the next hop's socket. */
function forwardOut(via: Client, hop: ResolvedSshTarget, viaName: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) =>
      reject(
        new MonitorError(
          `jump host ${viaName} cannot reach ${hostPort(hop.host, hop.port)}: ${e.message}`,
          'unreachable',
        ),
      );
    try {
      via.forwardOut('127.0.0.1', 0, hop.host, hop.port, (err, stream) => (err ? fail(err) : resolve(stream)));
    } catch (e) {
      fail(e as Error);
    }
  });
}

/** Establishes one SSH connection (to a jump host or the target) and authenticates it. */
async function connectHop(
  hop: ResolvedSshTarget,
  options: OpenOptions,
  sock: Duplex | undefined,
  via: string | null,
): Promise<Client> {
  const log: Log = options.log ?? (() => undefined);
  const where = hopName(hop) + (via ? ` (via ${via})` : '');
  const policy = await loadHostKeyPolicy(hop, options, where, log);
  const ssh2 = await loadSsh2();
  const timeoutMs = options.readyTimeoutMs ?? hop.connectTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    /** The precise reason, set before ssh2 reports its generic one ("Host denied", "All ... methods failed"). */
    let failure: MonitorError | null = null;
    let authStarted = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (e: MonitorError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      sock?.destroy();
      reject(e);
    };
    // Our own handshake timer (ssh2's readyTimeout would also run while the user types a passphrase).
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new MonitorError(`timed out after ${timeoutMs} ms connecting to ${where}`, 'timeout')),
        timeoutMs,
      );
    };
    const asking: Asking = async (fn) => {
      clearTimeout(timer);
      try {
        return await fn();
      } finally {
        if (!settled) arm();
      }
    };

    const hostVerifier: HostVerifier = (key, verify) => {
      policy.check(key, asking).then(
        () => verify(true),
        (e: unknown) => {
          failure = toMonitorError(e, `checking the host key of ${where}`);
          verify(false);
        },
      );
    };

    const auth = makeAuth(hop, options, asking, where, log);

    client.on('handshake', () => {
      authStarted = true;
    });
    client.on('ready', () => {
      settled = true;
      clearTimeout(timer);
      client.setNoDelay(true); // small request/response exchanges: do not wait for Nagle
      log(`ssh: authenticated to ${where} with ${auth.succeeded()}`);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (!auth.exhausted && (err.level === 'agent' || err.level === 'client-authentication')) {
        auth.note(err.message); // one method failed; the handler moves on to the next
        return;
      }
      fail(failure ?? mapConnectError(err, where, authStarted, auth.summary()));
    });
    client.on('close', () => {
      if (!settled)
        fail(failure ?? new MonitorError(`connection to ${where} closed during the SSH handshake`, 'unreachable'));
    });

    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      ...(sock && { sock }),
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? hop.serverAliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier,
      authHandler: (methodsLeft, _partial, next) => {
        // ssh2 takes `false` for "no more methods", which its typings omit.
        const done = next as (method: AnyAuthMethod | false) => void;
        auth.next(methodsLeft).then(done, (e: unknown) => {
          failure = toMonitorError(e, `authenticating to ${where}`);
          auth.exhausted = true;
          done(false);
        });
      },
    };
    if (policy.algorithms) config.algorithms = policy.algorithms;
    arm();
    try {
      client.connect(config);
    } catch (e) {
      fail(toMonitorError(e, `connecting to ${where}`));
    }
  });
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
};

function mapConnectError(
  err: Error & { level?: string; code?: string },
  where: string,
  authStarted: boolean,
  tried: string,
): MonitorError {
  if (err.level === 'client-timeout') return new MonitorError(`timed out connecting to ${where}`, 'timeout');
  if (err.level === 'client-socket' || err.level === 'client-dns') {
    const why = (err.code && SOCKET_ERRORS[err.code]) ?? err.message;
    return new MonitorError(`cannot reach ${where}: ${why}`, 'unreachable');
  }
  // After key exchange, a disconnect is the server ending authentication (e.g. too many failures).
  if (authStarted)
    return new MonitorError(`authentication to ${where} failed: ${err.message}; ${tried}`, 'auth-failed');
  return new MonitorError(`SSH handshake with ${where} failed: ${err.message}`, 'unreachable');
}
