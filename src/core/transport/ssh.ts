// A Transport over one persistent SSH connection (through ProxyJump hosts when configured), with host keys
// checked against known_hosts and authentication by agent, key files, then password.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type {
  AnyAuthMethod,
  AuthenticationType,
  BaseAgent,
  Client,
  ClientChannel,
  ConnectConfig,
  HostVerifier,
  IdentityCallback,
  KeyboardInteractiveCallback,
  ParsedKey,
  Prompt,
} from 'ssh2';
import { buildBatchScript, parseBatchOutput } from './batchScript';
import { PersistentShell } from './batchSession';
import type { ShellChannel } from './batchSession';
import { PERL_COMMAND, PERL_READER } from './perlReader';
import { PYTHON_COMMAND, PYTHON_READER } from './pythonReader';
import { startReader } from './remoteReader';
import { encodeReaderRequest, readerRequest } from './readerRequest';
import type { KnownHostsText } from './knownHosts';
import {
  appendKnownHost,
  fingerprintSha256,
  keyTypeOf,
  knownHostKeyTypes,
  knownHostsLine,
  knownHostsName,
  revokedKeyLine,
  verifyHostKey,
} from './knownHosts';
import type { ResolvedSshTarget } from './sshConfig';
import type { OpenOptions } from './target';
import { MonitorError } from './types';
import type { BatchPlan, BatchResult, ExecResult, Transport } from './types';
import { shellQuote } from '../validate';

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const DEFAULT_KEEPALIVE_MS = 15_000;
/** ServerAliveCountMax's default: three unanswered keepalives mean the link is gone. */
const KEEPALIVE_COUNT_MAX = 3;
/** A refresh that takes longer than this is stuck, not slow. */
const BATCH_TIMEOUT_MS = 30_000;
/** `env` so that the assignment works whatever the login shell is (csh, fish). */
const BATCH_SHELL = 'env LC_ALL=C sh -s';
/** sshd's MaxSessions defaults to 10 sessions per connection; leave room for the user's own. */
const MAX_SESSIONS = 8;
const PASSWORD_ATTEMPTS = 3;
const CLOSE_WAIT_MS = 2_000;

/**
 * Runs "$@" (with this shell's stdin) and SIGKILLs it after $1 seconds. Needed because sshd does not act on
 * the SSH "signal" request (OpenSSH 9.2 refuses it), and closing the channel leaves the command running.
 * The timer's stdio is detached so that it cannot hold the session open.
 */
const WATCHDOG = [
  't=$1; shift',
  'exec 3<&0',
  '"$@" 0<&3 3<&- &',
  'p=$!',
  'exec 3<&-',
  '( sleep "$t"; kill -9 "$p" ) </dev/null >/dev/null 2>&1 &',
  'w=$!',
  'wait "$p"; s=$?',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

/** Host key algorithms ssh2 can negotiate for each key type found in known_hosts. */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

type Log = (line: string) => void;

/** What answers a refresh: a long-lived perl or python3 reader, or the sh batch script (persistent shell or one exec). */
export type BatchReader = 'perl' | 'python3' | 'sh';

/** The remote readers in the order they are tried: perl is on more hosts (perl-base is Essential on Debian). */
const READERS = [
  { name: 'perl', command: PERL_COMMAND, program: PERL_READER },
  { name: 'python3', command: PYTHON_COMMAND, program: PYTHON_READER },
] as const;

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function hopName(t: ResolvedSshTarget): string {
  return `${t.user}@${hostPort(t.host, t.port)}`;
}

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly label: string;
  private closedError: MonitorError | null = null;
  private closing = false;
  private readonly closeListeners = new Set<(error: MonitorError | null) => void>();
  private readonly pending = new Set<(error: MonitorError) => void>();
  private sessions = 0;
  private readonly sessionQueue: (() => void)[] = [];
  private readonly log: Log;
  /** Long-lived remote readers (perl, python3) that answer a readBatch without forking: one round trip each. */
  private readonly readers: Array<{ name: 'perl' | 'python3'; shell: PersistentShell }>;
  /** The long-lived remote sh for the sh batch script, when the target has neither perl nor python3. */
  private readonly batchShell: PersistentShell;
  private lastReader: BatchReader | null = null;
  private lastReaderPid: number | null = null;
  /** How long one readBatch may take before it rejects with a 'timeout' MonitorError. */
  batchTimeoutMs = BATCH_TIMEOUT_MS;
  /** False: one exec channel per readBatch, as when the server cannot keep a shell open. */
  persistentBatchShell = true;
  /** False: never start a perl or python3 reader; the sh batch script answers (tests, benchmarks). */
  remoteReader = true;
  /** The readers to try, by name (tests and benchmarks pick one). */
  readerChoice: ReadonlyArray<'perl' | 'python3'> = ['perl', 'python3'];

  private constructor(
    private readonly target: ResolvedSshTarget,
    /** Jump hosts first, the target last. */
    private readonly clients: Client[],
    options: OpenOptions,
  ) {
    this.label = target.alias ?? hopName(target);
    this.log = options.log ?? (() => undefined);
    this.readers = READERS.map((r, i) => ({
      name: r.name,
      shell: new PersistentShell(() => this.openReader(r.name, r.command, r.program), this.label, this.log, {
        encode: readerRequest,
        what: `${r.name} reader`,
        fallback: i + 1 < READERS.length ? `the ${READERS[i + 1].name} reader or the sh batch script` : 'the sh batch script',
      }),
    }));
    this.batchShell = new PersistentShell(() => this.openBatchShell(BATCH_SHELL), this.label, this.log);
    // Any link of the chain going down takes the target with it.
    clients.forEach((c, i) => {
      const name = i === clients.length - 1 ? this.label : `jump host ${hopName(target.jump[i])}`;
      c.on('error', (err: Error) => this.lost(`${name}: ${err.message}`));
      c.on('close', () => this.lost(i === clients.length - 1 ? null : `${name} closed`));
    });
  }

  /** Connects the jump hosts in order, then the target through them. */
  static async connect(resolved: ResolvedSshTarget, options: OpenOptions = {}): Promise<SshTransport> {
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
    return new SshTransport(resolved, clients, options);
  }

  /** Called once when the connection ends: with an error when it dropped, null after close(). */
  onClose(listener: (error: MonitorError | null) => void): () => void {
    if (this.closedError) {
      const error = this.closing ? null : this.closedError;
      queueMicrotask(() => listener(error));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get isOpen(): boolean {
    return this.closedError === null;
  }

  /** SSH channels open on the connection to the target now (readers, shells, Docker streams), for leak checks. */
  get openChannels(): number {
    // ssh2 keeps the count in its channel manager; it has no public accessor.
    const c = this.clients[this.clients.length - 1] as unknown as { _chanMgr?: { _count?: number } };
    return c._chanMgr?._count ?? 0;
  }

  /** The reader that answered the last readBatch (null before the first). */
  get reader(): BatchReader | null {
    return this.lastReader;
  }

  /** The target-side PID of the reader that answered the last readBatch, for tests and benchmarks; null for sh. */
  get readerPid(): number | null {
    return this.lastReader === 'sh' ? null : this.lastReaderPid;
  }

  /** Requests written to a reader (round trips) and their payload bytes both ways: what refreshes cost the link. */
  readonly traffic = { requests: 0, bytesSent: 0, bytesReceived: 0 };

  private count(sent: number, received: number | null): void {
    if (sent > 0) {
      this.traffic.requests++;
      this.traffic.bytesSent += sent;
    }
    if (received !== null) this.traffic.bytesReceived += received;
  }

  async readBatch(plan: BatchPlan): Promise<BatchResult> {
    // Either encoding validates the plan first: nothing is sent for a bad one.
    const readers = this.remoteReader ? this.readers.filter((r) => r.shell.usable && this.readerChoice.includes(r.name)) : [];
    const request = readers.length > 0 ? encodeReaderRequest(plan) : '';
    for (const r of readers) {
      this.ensureOpen();
      this.count(request.length, null);
      const reply = await r.shell.run(request, this.batchTimeoutMs).catch((e: unknown) => {
        this.ensureOpen();
        throw e;
      });
      if (reply) {
        this.using(r.name);
        this.count(0, reply.output.length);
        return this.batchResult(reply.output, reply.status, reply.stderrTail, reply.ms);
      }
    }
    const script = buildBatchScript(plan);
    this.ensureOpen();
    this.using('sh');
    this.count(script.length, null);
    if (this.persistentBatchShell) {
      const reply = await this.batchShell.run(script, this.batchTimeoutMs).catch((e: unknown) => {
        this.ensureOpen(); // a dropped connection explains the failure better than the shell's end
        throw e;
      });
      if (reply) {
        this.count(0, reply.output.length);
        return this.batchResult(reply.output, reply.status, reply.stderrTail, reply.ms);
      }
    }
    const started = performance.now();
    const r = await this.run(BATCH_SHELL, { stdin: script, timeoutMs: this.batchTimeoutMs, what: 'reading the target' });
    this.count(0, r.stdout.length);
    return this.batchResult(r.stdout, r.code, r.stderr.toString('utf8'), performance.now() - started);
  }

  private batchResult(stdout: Buffer, code: number | null, stderr: string, ms: number): BatchResult {
    if (stdout.length === 0 && code !== 0) {
      const why = stderr.trim().split('\n')[0] || `exit code ${code}`;
      throw new MonitorError(`reading ${this.label} failed: ${why}`, 'internal');
    }
    return parseBatchOutput(stdout, ms);
  }

  private using(reader: BatchReader): void {
    if (this.lastReader !== reader) this.log(`ssh: reading ${this.label} with ${reader}`);
    this.lastReader = reader;
  }

  /** A reader on its own exec channel, started and greeting; rejects 'not-found' on a host without its interpreter. */
  private async openReader(name: string, command: string, program: string): Promise<ShellChannel> {
    const channel = await this.openBatchShell(command);
    this.lastReaderPid = await startReader(channel, program, name, DEFAULT_READY_TIMEOUT_MS);
    return channel;
  }

  /** The exec channel of a persistent batch shell or reader; it holds one of the MAX_SESSIONS until it closes. */
  private async openBatchShell(command: string): Promise<ShellChannel> {
    await this.acquireSession();
    let channel: ClientChannel;
    try {
      channel = await this.openExec(command);
    } catch (e) {
      this.releaseSession();
      throw e;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.releaseSession();
    };
    let exit = '';
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = typeof code === 'number' ? `exit code ${code}` : signal ? `killed by ${signal.startsWith('SIG') ? signal : `SIG${signal}`}` : '';
    });
    return {
      stdin: channel,
      stdout: channel,
      stderr: channel.stderr,
      onEnd: (listener) => {
        channel.once('close', () => {
          release();
          listener(exit || 'channel closed');
        });
      },
      // Released now, as run() does on a timeout: sshd answers the close only once the shell has exited.
      close: () => {
        release();
        channel.close();
      },
    };
  }

  async exec(argv: string[], options: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new MonitorError('exec needs a command', 'bad-argument');
    const command = argv.map(shellQuote).join(' ');
    const r = await this.run(command, { ...options, what: `${argv[0]}` });
    return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), code: r.code };
  }

  async openUnixSocket(path: string): Promise<Duplex> {
    if (!isAbsolute(path) || path.includes('\0')) {
      throw new MonitorError(`invalid socket path: ${JSON.stringify(path.slice(0, 120))} (must be absolute)`, 'bad-argument');
    }
    const client = this.client();
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
      this.ensureOpen();
    }
    // The forward failed: find out why in one round trip, then fall back to the docker CLI when there is one.
    const probe = await this.run(
      `sh -c ${shellQuote(
        'if [ ! -S "$1" ]; then echo missing; elif [ ! -w "$1" ]; then echo denied; ' +
          'elif command -v docker >/dev/null 2>&1; then echo cli; else echo nocli; fi',
      )} sh ${shellQuote(path)}`,
      { timeoutMs: DEFAULT_READY_TIMEOUT_MS, what: 'checking the Docker socket' },
    );
    const verdict = probe.stdout.toString('utf8').trim();
    if (verdict === 'missing') throw new MonitorError(`no Docker socket at ${path} on ${this.label}`, 'docker-unavailable');
    if (verdict === 'denied') {
      throw new MonitorError(
        `permission denied on ${path} on ${this.label}: ${this.target.user} needs to be in the docker group (or connect as root)`,
        'docker-denied',
      );
    }
    if (verdict !== 'cli') {
      throw new MonitorError(
        `cannot open ${path} on ${this.label}: sshd refused to forward it (${forwardError.message}; it needs AllowStreamLocalForwarding yes) and there is no docker CLI there for \`docker system dial-stdio\``,
        'docker-unavailable',
      );
    }
    this.log(`ssh: ${this.label} refused to forward ${path} (${forwardError.message}); using docker system dial-stdio`);
    await this.acquireSession();
    const channel = await this.openExec(`docker --host ${shellQuote(`unix://${path}`)} system dial-stdio`).catch((e: unknown) => {
      this.releaseSession();
      throw e;
    });
    channel.stderr.on('data', (d: Buffer) => this.log(`docker dial-stdio on ${this.label}: ${d.toString('utf8').trim()}`));
    channel.once('close', () => this.releaseSession());
    return channel;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const r of this.readers) r.shell.close();
    this.batchShell.close();
    const last = this.clients[this.clients.length - 1];
    const closed = new Promise<boolean>((resolve) => {
      if (this.closedError) return resolve(true);
      last.once('close', () => resolve(true));
      setTimeout(() => resolve(false), CLOSE_WAIT_MS).unref();
    });
    for (const c of [...this.clients].reverse()) c.end();
    if (!(await closed)) {
      // The server never finished the close (hung, or the link blackholed): its socket would hold the connection and
      // its channels for as long as TCP retries. Cut it; ssh2's destroy() does nothing once end() was called.
      for (const c of [...this.clients].reverse()) (c as unknown as { _sock?: Duplex })._sock?.destroy();
    }
    this.lost(null);
  }

  private lost(reason: string | null): void {
    if (this.closedError) return;
    this.closedError = new MonitorError(`connection to ${this.label} closed${reason ? ` (${reason})` : ''}`, 'unreachable');
    for (const reject of this.pending) reject(this.closedError);
    this.pending.clear();
    for (const wake of this.sessionQueue.splice(0)) wake(); // they find the connection closed and throw
    for (const c of [...this.clients].reverse()) c.end();
    const error = this.closing ? null : this.closedError;
    if (error) this.log(`ssh: ${error.message}`);
    for (const l of this.closeListeners) l(error);
    this.closeListeners.clear();
  }

  private ensureOpen(): void {
    if (this.closedError) throw this.closing ? new MonitorError(`connection to ${this.label} was closed`, 'unreachable') : this.closedError;
  }

  private client(): Client {
    this.ensureOpen();
    return this.clients[this.clients.length - 1];
  }

  private async acquireSession(): Promise<void> {
    this.ensureOpen();
    if (this.sessions < MAX_SESSIONS) {
      this.sessions++;
      return;
    }
    await new Promise<void>((resolve) => this.sessionQueue.push(resolve));
    this.ensureOpen();
  }

  private releaseSession(): void {
    const next = this.sessionQueue.shift();
    if (next) next();
    else this.sessions--;
  }

  private openExec(command: string): Promise<ClientChannel> {
    const client = this.client();
    return new Promise<ClientChannel>((resolve, reject) => {
      try {
        client.exec(command, (err, channel) => {
          if (err) reject(this.closedError ?? new MonitorError(`cannot run a command on ${this.label}: ${err.message}`, 'unreachable'));
          else resolve(channel);
        });
      } catch (e) {
        reject(this.closedError ?? new MonitorError(`cannot run a command on ${this.label}: ${(e as Error).message}`, 'unreachable'));
      }
    });
  }

  /**
   * One exec channel: stdin written and closed, stdout and stderr collected. `command` must be plain shell
   * words (no operators): with a timeout it becomes the arguments of a remote watchdog.
   */
  private async run(
    command: string,
    opts: { stdin?: string; timeoutMs?: number; what: string },
  ): Promise<{ stdout: Buffer; stderr: Buffer; code: number | null }> {
    await this.acquireSession();
    let channel: ClientChannel;
    try {
      const limited = opts.timeoutMs !== undefined && opts.timeoutMs > 0;
      // The remote kill comes a little after ours, as cleanup: our timer decides, and reports.
      const seconds = limited ? Math.ceil(opts.timeoutMs! / 1000) + 1 : 0;
      channel = await this.openExec(limited ? `sh -c ${shellQuote(WATCHDOG)} sh ${seconds} ${command}` : command);
    } catch (e) {
      this.releaseSession();
      throw e;
    }
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(onLost);
        this.releaseSession();
      };
      const onLost = (e: MonitorError): void => {
        done();
        reject(e);
      };
      this.pending.add(onLost);
      if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
        const ms = opts.timeoutMs;
        timer = setTimeout(() => {
          done();
          reject(new MonitorError(`${opts.what} on ${this.label} timed out after ${ms} ms`, 'timeout'));
          channel.close();
        }, ms);
      }
      channel.on('data', (d: Buffer) => out.push(d));
      channel.stderr.on('data', (d: Buffer) => err.push(d));
      channel.on('exit', (c: number | null) => {
        code = typeof c === 'number' ? c : null;
      });
      channel.on('close', () => {
        if (!this.pending.has(onLost)) return; // already settled by a timeout or a dropped connection
        done();
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), code });
      });
      channel.end(opts.stdin ?? '');
    });
  }
}

/** Opens a TCP channel from a jump host to the next hop: the next hop's socket. */
function forwardOut(via: Client, hop: ResolvedSshTarget, viaName: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) =>
      reject(new MonitorError(`jump host ${viaName} cannot reach ${hostPort(hop.host, hop.port)}: ${e.message}`, 'unreachable'));
    try {
      via.forwardOut('127.0.0.1', 0, hop.host, hop.port, (err, stream) => (err ? fail(err) : resolve(stream)));
    } catch (e) {
      fail(e as Error);
    }
  });
}

async function readKnownHostsFiles(files: string[], log: Log): Promise<KnownHostsText[]> {
  const out: KnownHostsText[] = [];
  for (const file of files) {
    try {
      out.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') log(`ssh: cannot read ${file} (${code ?? (e as Error).message}); skipped`);
    }
  }
  return out;
}

/** Establishes one SSH connection (to a jump host or the target) and authenticates it. */
async function connectHop(hop: ResolvedSshTarget, options: OpenOptions, sock: Duplex | undefined, via: string | null): Promise<Client> {
  const log: Log = options.log ?? (() => undefined);
  const where = hopName(hop) + (via ? ` (via ${via})` : '');
  const keyHost = hop.hostKeyAlias ?? hop.host;
  const keyPort = hop.hostKeyAlias ? 22 : hop.port;
  const userFiles = await readKnownHostsFiles(hop.knownHostsFiles, log);
  const known = [...userFiles, ...(await readKnownHostsFiles(hop.globalKnownHostsFiles, log))];
  // Ask for the key types known_hosts holds first, so a host known by its ECDSA key is not "unknown" for ed25519.
  // In OpenSSH's default order (ed25519 first), not file order, as its order_hostkeyalgs() does: with both types
  // known and the ECDSA key @revoked, OpenSSH gets the ED25519 key and connects.
  const typeOrder = Object.keys(HOST_KEY_ALGORITHMS);
  const rank = (t: string): number => (typeOrder.includes(t) ? typeOrder.indexOf(t) : typeOrder.length);
  const knownTypes = [...new Set(known.flatMap((k) => knownHostKeyTypes(k.text, keyHost, keyPort)))];
  const preferred = knownTypes.sort((x, y) => rank(x) - rank(y)).flatMap(
    (t) => HOST_KEY_ALGORITHMS[t] ?? [],
  );
  const acceptNew = options.acceptNewHostKey === true || hop.acceptNew;
  // RevokedHostKeys, as OpenSSH: a key listed there is refused in every mode, and a file that cannot be read
  // refuses every key (OpenSSH: "Error checking host key ... in revoked keys file").
  let revokedText: string | null = null;
  if (hop.revokedHostKeys !== undefined) {
    const raw = await readFile(hop.revokedHostKeys).catch((e: NodeJS.ErrnoException) => {
      throw new MonitorError(`cannot read RevokedHostKeys file ${hop.revokedHostKeys} (${e.code ?? e.message}): refusing to connect to ${where}`, 'bad-argument');
    });
    if (raw.subarray(0, 6).toString('latin1') === 'SSHKRL') {
      throw new MonitorError(`RevokedHostKeys ${hop.revokedHostKeys} is a binary KRL, which Docker Monitor cannot read: list the revoked public keys in a text file instead`, 'bad-argument');
    }
    revokedText = raw.toString('utf8');
  }
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
      timer = setTimeout(() => fail(new MonitorError(`timed out after ${timeoutMs} ms connecting to ${where}`, 'timeout')), timeoutMs);
    };
    const asking = async <T>(fn: () => Promise<T>): Promise<T> => {
      clearTimeout(timer);
      try {
        return await fn();
      } finally {
        if (!settled) arm();
      }
    };

    const accepted: Buffer[] = [];
    const checkKey = async (key: Buffer): Promise<void> => {
      if (accepted.some((k) => k.equals(key))) return; // a re-key presents the same key again
      const type = keyTypeOf(key) ?? 'unknown';
      const fingerprint = fingerprintSha256(key);
      const name = hostPort(keyHost, keyPort);
      const revokedLine = revokedText === null ? null : revokedKeyLine(revokedText, key);
      if (revokedLine !== null) {
        throw new MonitorError(
          `the host key of ${name} (${type} ${fingerprint}) is revoked: listed in RevokedHostKeys ${hop.revokedHostKeys} line ${revokedLine}; refusing to connect`,
          'host-key-changed',
        );
      }
      const verdict = verifyHostKey(known, keyHost, keyPort, key);
      if (verdict.status === 'revoked') {
        const scope =
          verdict.revokedFor === undefined
            ? ''
            : ` for ${verdict.revokedFor}, not for ${knownHostsName(keyHost, keyPort)}; a revoked key is refused for every host here ` +
              '(OpenSSH may accept it: it applies @revoked to the names on that line)';
        throw new MonitorError(
          `the host key of ${name} (${type} ${fingerprint}) is marked @revoked in ${verdict.file} line ${verdict.line}${scope}: refusing to connect`,
          'host-key-changed',
        );
      }
      if (verdict.status === 'match') {
        log(`ssh: host key ${type} ${fingerprint} of ${name} matches ${verdict.file} line ${verdict.line}`);
        accepted.push(key);
        return;
      }
      if (verdict.status === 'changed') {
        const knownType = verdict.knownKeyType ?? type;
        const holds = knownType === type ? 'a different key' : `a ${knownType} key (the host is known by a key of another type)`;
        throw new MonitorError(
          `HOST KEY CHANGED for ${name}: it presented ${type} ${fingerprint}, but line ${verdict.line} of ${verdict.file} holds ${holds}. ` +
            `Someone could be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled. ` +
            `If you have verified the new key, remove that line (ssh-keygen -R '${name}' -f '${verdict.file}') and connect again.`,
          'host-key-changed',
        );
      }
      const file = hop.knownHostsFiles[0];
      if (file === undefined) {
        // OpenSSH refuses an unknown key it cannot record ("Host key verification failed") in every mode, unasked.
        throw new MonitorError(
          `the host key of ${name} is not known (${type} ${fingerprint}) and UserKnownHostsFile is none, so it cannot be added: refusing to connect`,
          'host-key-unknown',
        );
      }
      const save = async (): Promise<void> => {
        await appendKnownHost(file, knownHostsLine(keyHost, keyPort, key, { hash: hop.hashKnownHosts }));
        log(`ssh: added ${type} ${fingerprint} for ${name} to ${file}`);
      };
      if (acceptNew) {
        await save();
      } else if (options.confirmHostKey && !hop.refuseUnknown) {
        const ok = await asking(() => options.confirmHostKey!({ host: keyHost, port: keyPort, keyType: type, fingerprint }));
        if (!ok) throw new MonitorError(`the host key of ${name} (${type} ${fingerprint}) was not accepted`, 'host-key-unknown');
        await save();
      } else {
        throw new MonitorError(
          `the host key of ${name} is not known (${type} ${fingerprint}): check that fingerprint with the host's administrator, ` +
            `then connect again with --accept-new-host-key to add it to ${file}`,
          'host-key-unknown',
        );
      }
      accepted.push(key);
    };
    const hostVerifier: HostVerifier = (key, verify) => {
      checkKey(key).then(
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
      if (!settled) fail(failure ?? new MonitorError(`connection to ${where} closed during the SSH handshake`, 'unreachable'));
    });

    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      sock,
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
    if (preferred.length > 0) {
      // Regexes, because ssh2 throws on a string it does not support and skips a regex that matches nothing.
      const res = preferred.map((a) => new RegExp(`^${a.replace(/[.+]/g, '\\$&')}$`));
      config.algorithms = { serverHostKey: { remove: res, prepend: res } as never };
    }
    arm();
    try {
      client.connect(config);
    } catch (e) {
      fail(toMonitorError(e, `connecting to ${where}`));
    }
  });
}

function toMonitorError(e: unknown, doing: string): MonitorError {
  if (e instanceof MonitorError) return e;
  return new MonitorError(`${doing}: ${(e as Error).message ?? String(e)}`, 'internal');
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

function mapConnectError(err: Error & { level?: string; code?: string }, where: string, authStarted: boolean, tried: string): MonitorError {
  if (err.level === 'client-timeout') return new MonitorError(`timed out connecting to ${where}`, 'timeout');
  if (err.level === 'client-socket' || err.level === 'client-dns') {
    const why = (err.code && SOCKET_ERRORS[err.code]) ?? err.message;
    return new MonitorError(`cannot reach ${where}: ${why}`, 'unreachable');
  }
  // After key exchange, a disconnect is the server ending authentication (e.g. too many failures).
  if (authStarted) return new MonitorError(`authentication to ${where} failed: ${err.message}; ${tried}`, 'auth-failed');
  return new MonitorError(`SSH handshake with ${where} failed: ${err.message}`, 'unreachable');
}

interface Auth {
  next(methodsLeft: AuthenticationType[] | null): Promise<AnyAuthMethod | false>;
  note(message: string): void;
  summary(): string;
  succeeded(): string;
  exhausted: boolean;
}

/**
 * The authentication sequence: agent, then each IdentityFile, then password (or keyboard-interactive) when the
 * server offers it and a prompt is available. Records what was tried (never the secrets) for the error message.
 */
function makeAuth(
  hop: ResolvedSshTarget,
  options: OpenOptions,
  asking: <T>(fn: () => Promise<T>) => Promise<T>,
  where: string,
  log: Log,
): Auth {
  const tried: string[] = [];
  const notes: string[] = [];
  let left: AuthenticationType[] | null = null;
  let current = 'none';
  const offered = (m: AuthenticationType): boolean => left === null || left.includes(m);
  const username = hop.user;

  async function* sequence(): AsyncGenerator<AnyAuthMethod, void, void> {
    const agentPath = hop.agentSocket;
    if (agentPath !== null) {
      if (!agentPath.startsWith('\\\\.\\pipe\\') && agentPath !== 'pageant' && !existsSync(agentPath)) {
        notes.push(`agent socket ${agentPath} does not exist`);
      } else if (offered('publickey')) {
        const agent = hop.identitiesOnly ? await identitiesOnlyAgent(agentPath, hop.identityFiles) : agentPath;
        current = `agent (${agentPath})`;
        tried.push('agent');
        yield { type: 'agent', username, agent };
      }
    }
    for (const file of hop.identityFiles) {
      if (!offered('publickey')) break;
      const key = await loadKey(file, hop.defaultIdentityFiles, options, asking, notes);
      if (key === null) continue;
      current = `key ${file}`;
      tried.push(`key ${file}`);
      yield { type: 'publickey', username, key };
    }
    if (!options.askPassword) {
      notes.push('no password prompt available');
      return;
    }
    if (left === null) yield { type: 'none', username }; // learns which methods the server offers
    for (let attempt = 1; attempt <= PASSWORD_ATTEMPTS; attempt++) {
      const suffix = attempt > 1 ? ` (attempt ${attempt} of ${PASSWORD_ATTEMPTS})` : '';
      if (offered('password')) {
        const password = await asking(() => options.askPassword!(`Password for ${where}${suffix}`));
        if (password === undefined) return;
        current = 'password';
        if (attempt === 1) tried.push('password');
        yield { type: 'password', username, password };
      } else if (offered('keyboard-interactive')) {
        current = 'keyboard-interactive';
        if (attempt === 1) tried.push('keyboard-interactive');
        yield {
          type: 'keyboard-interactive',
          username,
          prompt: (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
            void (async () => {
              const answers: string[] = [];
              for (const p of prompts) {
                const a = await asking(() => options.askPassword!(`${where}: ${p.prompt.trim()}${suffix}`));
                if (a === undefined) break;
                answers.push(a);
              }
              finish(answers);
            })();
          },
        };
      } else {
        if (attempt === 1) notes.push(`the server offers neither password nor keyboard-interactive (only ${left?.join(', ')})`);
        return;
      }
    }
  }

  const gen = sequence();
  const auth: Auth = {
    exhausted: false,
    async next(methodsLeft) {
      if (methodsLeft !== null) left = methodsLeft;
      const step = await gen.next();
      if (step.done) {
        auth.exhausted = true;
        log(`ssh: authentication to ${where} failed; ${auth.summary()}`);
        throw new MonitorError(`authentication to ${where} failed; ${auth.summary()}`, 'auth-failed');
      }
      if (step.value.type !== 'none') log(`ssh: trying ${current} for ${where}`);
      return step.value;
    },
    note(message) {
      notes.push(message);
    },
    summary() {
      const t = tried.length > 0 ? `tried ${tried.join(', ')}` : 'no method could be tried';
      const s = left !== null ? `; the server accepts ${left.join(', ')}` : '';
      return `${t}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${s}`;
    },
    succeeded() {
      return current;
    },
  };
  return auth;
}

/** Reads and parses a private key, asking for the passphrase of an encrypted one. Null when it cannot be used. */
async function loadKey(
  file: string,
  isDefault: boolean,
  options: OpenOptions,
  asking: <T>(fn: () => Promise<T>) => Promise<T>,
  notes: string[],
): Promise<ParsedKey | null> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!(isDefault && code === 'ENOENT')) notes.push(`key ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? 'unreadable'}`);
    return null;
  }
  let key = ssh2.utils.parseKey(data);
  if (key instanceof Error && /no passphrase given/.test(key.message)) {
    if (!options.askPassphrase) {
      notes.push(`key ${file} is encrypted and no passphrase prompt is available`);
      return null;
    }
    for (let attempt = 1; attempt <= PASSWORD_ATTEMPTS; attempt++) {
      const passphrase = await asking(() => options.askPassphrase!(file));
      if (passphrase === undefined) {
        notes.push(`key ${file}: passphrase not given`);
        return null;
      }
      key = ssh2.utils.parseKey(data, passphrase);
      if (!(key instanceof Error)) break;
    }
    if (key instanceof Error) {
      notes.push(`key ${file}: wrong passphrase`);
      return null;
    }
  }
  if (key instanceof Error) {
    notes.push(`key ${file} is not a usable private key (${key.message})`);
    return null;
  }
  const parsed = Array.isArray(key) ? (key[0] as ParsedKey) : key;
  if (!parsed.isPrivateKey()) {
    notes.push(`key ${file} holds only a public key`);
    return null;
  }
  return parsed;
}

/** IdentitiesOnly: an agent that offers only the keys whose public halves are IdentityFiles (or their .pub). */
async function identitiesOnlyAgent(socket: string, identityFiles: string[]): Promise<BaseAgent> {
  const allowed: Buffer[] = [];
  for (const f of identityFiles) {
    for (const candidate of [f, `${f}.pub`]) {
      const text = await readFile(candidate, 'utf8').catch(() => null);
      if (text === null) continue;
      const k = ssh2.utils.parseKey(text);
      if (!(k instanceof Error)) allowed.push((Array.isArray(k) ? (k[0] as ParsedKey) : k).getPublicSSH());
    }
  }
  class FilteredAgent extends ssh2.OpenSSHAgent {
    override getIdentities(cb: IdentityCallback<ParsedKey>): void {
      super.getIdentities((err, keys) => {
        if (err) return cb(err);
        const usable = (keys ?? []).filter(
          (k): k is ParsedKey => 'getPublicSSH' in k && allowed.some((a) => a.equals(k.getPublicSSH())),
        );
        cb(undefined, usable);
      });
    }
  }
  return new FilteredAgent(socket);
}
