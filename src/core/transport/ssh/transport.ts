// The SSH Transport: one persistent connection (through ProxyJump hosts when configured) that answers readBatch
// with a long-lived remote reader (perl, python3) or the sh batch script, runs commands, opens the Docker socket,
// and tells when it drops. Connecting is connect.ts; channels, the Docker socket and host keys have files of their own.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { buildBatchScript, parseBatchOutput } from '../batchScript';
import { PersistentShell } from '../batchSession';
import type { ShellChannel } from '../batchSession';
import { PERL_COMMAND, PERL_READER } from '../perlReader';
import { PYTHON_COMMAND, PYTHON_READER } from '../pythonReader';
import { startReader } from '../remoteReader';
import { encodeReaderRequest, readerRequest } from '../readerRequest';
import type { ResolvedSshTarget } from '../sshConfig';
import type { OpenOptions } from '../targetTypes';
import { MonitorError } from '../../errors';
import type { BatchPlan, BatchResult, ExecResult, Transport } from '../types';
import { shellQuote } from '../../validate';
import { SshChannels } from './channels';
import { connectChain } from './connect';
import { openDockerSocket } from './dockerSocket';
import { hopName } from './names';
import type { Log } from './names';
import { DEFAULT_READY_TIMEOUT_MS } from './timeouts';

/** A refresh that takes longer than this is stuck, not slow. */
const BATCH_TIMEOUT_MS = 30_000;
/** `env` so that the assignment works whatever the login shell is (csh, fish). */
const BATCH_SHELL = 'env LC_ALL=C sh -s';
const CLOSE_WAIT_MS = 2_000;

/** What answers a refresh: a long-lived perl or python3 reader, or the sh batch script (persistent shell or one exec). */
export type BatchReader = 'perl' | 'python3' | 'sh';

/** The remote readers in the order they are tried: perl is on more hosts (perl-base is Essential on Debian). */
const READERS = [
  { name: 'perl', command: PERL_COMMAND, program: PERL_READER },
  { name: 'python3', command: PYTHON_COMMAND, program: PYTHON_READER },
] as const;

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly label: string;
  private closedError: MonitorError | null = null;
  private closing = false;
  private readonly closeListeners = new Set<(error: MonitorError | null) => void>();
  private readonly channels: SshChannels;
  private readonly log: Log;
  /** Long-lived remote readers (perl, python3) that answer a readBatch without forking: one round trip each. */
  private readonly readers: Array<{ name: 'perl' | 'python3'; shell: PersistentShell }>;
  /** The long-lived remote sh for the sh batch script, when the target has neither perl nor python3. */
  private readonly batchShell: PersistentShell;
  private lastReader: BatchReader | null = null;
  private lastReaderPid: number | null = null;
  private lastReaderCpuSeconds: number | null = null;
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
    this.channels = new SshChannels({
      label: this.label,
      client: () => this.client(),
      ensureOpen: () => this.ensureOpen(),
      closedError: () => this.closedError,
    });
    this.readers = READERS.map((r, i) => ({
      name: r.name,
      shell: new PersistentShell(() => this.openReader(r.name, r.command, r.program), this.label, this.log, {
        encode: readerRequest,
        what: `${r.name} reader`,
        fallback:
          i + 1 < READERS.length ? `the ${READERS[i + 1].name} reader or the sh batch script` : 'the sh batch script',
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
    return new SshTransport(resolved, await connectChain(resolved, options), options);
  }

  /** The Transport's closed signal: called once when the connection ends, with an error when it dropped, null after close(). */
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

  /** What the reader that answered the last readBatch had used of the target's CPU, in seconds; null for sh. */
  get readerCpuSeconds(): number | null {
    return this.lastReader === 'sh' ? null : this.lastReaderCpuSeconds;
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
    const readers = this.remoteReader
      ? this.readers.filter((r) => r.shell.usable && this.readerChoice.includes(r.name))
      : [];
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
        const result = this.batchResult(reply.output, reply.status, reply.stderrTail, reply.ms);
        this.lastReaderCpuSeconds = result.readerCpuSeconds ?? null;
        return result;
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
    const r = await this.run(BATCH_SHELL, {
      stdin: script,
      timeoutMs: this.batchTimeoutMs,
      what: 'reading the target',
    });
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
    this.lastReaderCpuSeconds = null; // a new reader: its own time comes with its first answer
    return channel;
  }

  /** The exec channel of a persistent batch shell or reader; it holds one of the connection's sessions until it closes. */
  private openBatchShell(command: string): Promise<ShellChannel> {
    return this.channels.openShell(command);
  }

  async exec(argv: string[], options: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new MonitorError('exec needs a command', 'bad-argument');
    const command = argv.map(shellQuote).join(' ');
    const r = await this.run(command, { ...options, what: `${argv[0]}` });
    return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), code: r.code };
  }

  openUnixSocket(path: string): Promise<Duplex> {
    return openDockerSocket(
      {
        label: this.label,
        user: this.target.user,
        log: this.log,
        channels: this.channels,
        client: () => this.client(),
        ensureOpen: () => this.ensureOpen(),
      },
      path,
    );
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
    this.closedError = new MonitorError(
      `connection to ${this.label} closed${reason ? ` (${reason})` : ''}`,
      'unreachable',
    );
    this.channels.connectionLost(this.closedError);
    for (const c of [...this.clients].reverse()) c.end();
    const error = this.closing ? null : this.closedError;
    if (error) this.log(`ssh: ${error.message}`);
    for (const l of this.closeListeners) l(error);
    this.closeListeners.clear();
  }

  private ensureOpen(): void {
    if (this.closedError)
      throw this.closing ? new MonitorError(`connection to ${this.label} was closed`, 'unreachable') : this.closedError;
  }

  private client(): Client {
    this.ensureOpen();
    return this.clients[this.clients.length - 1];
  }

  /** One exec channel with its output collected (see SshChannels.run). */
  private run(command: string, opts: { stdin?: string; timeoutMs?: number; what: string }) {
    return this.channels.run(command, opts);
  }
}
