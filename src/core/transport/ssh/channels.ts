// The exec channels of one SSH connection: at most MAX_SESSIONS open at once (the rest wait their turn), one-shot
// commands with their output collected and a timeout, and long-lived channels for the persistent shells.
import type { Client, ClientChannel } from 'ssh2';
import type { ShellChannel } from '../batchSession';
import { MonitorError } from '../../errors';
import { withWatchdog } from './watchdog';

/** sshd's MaxSessions defaults to 10 sessions per connection; leave room for the user's own. */
const MAX_SESSIONS = 8;

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
}

/** What the channels need of the connection they run on. */
export interface ChannelConnection {
  readonly label: string;
  /** The client of the target (the last hop); throws once the connection is closed. */
  client(): Client;
  /** Throws once the connection is closed: why it closed. */
  ensureOpen(): void;
  /** Why the connection closed, or null while it is open. */
  closedError(): MonitorError | null;
}

export class SshChannels {
  private sessions = 0;
  private readonly sessionQueue: (() => void)[] = [];
  private readonly pending = new Set<(error: MonitorError) => void>();

  constructor(private readonly conn: ChannelConnection) {}

  /** The connection ended: commands in flight reject with `error`, and those waiting for a session wake to find it closed. */
  connectionLost(error: MonitorError): void {
    for (const reject of this.pending) reject(error);
    this.pending.clear();
    for (const wake of this.sessionQueue.splice(0)) wake(); // they find the connection closed and throw
  }

  async acquire(): Promise<void> {
    this.conn.ensureOpen();
    if (this.sessions < MAX_SESSIONS) {
      this.sessions++;
      return;
    }
    await new Promise<void>((resolve) => this.sessionQueue.push(resolve));
    this.conn.ensureOpen();
  }

  release(): void {
    const next = this.sessionQueue.shift();
    if (next) next();
    else this.sessions--;
  }

  openExec(command: string): Promise<ClientChannel> {
    const client = this.conn.client();
    return new Promise<ClientChannel>((resolve, reject) => {
      try {
        client.exec(command, (err, channel) => {
          if (err)
            reject(
              this.conn.closedError() ??
                new MonitorError(`cannot run a command on ${this.conn.label}: ${err.message}`, 'unreachable'),
            );
          else resolve(channel);
        });
      } catch (e) {
        reject(
          this.conn.closedError() ??
            new MonitorError(`cannot run a command on ${this.conn.label}: ${(e as Error).message}`, 'unreachable'),
        );
      }
    });
  }

  /** The exec channel of a persistent batch shell or reader; it holds one of the MAX_SESSIONS until it closes. */
  async openShell(command: string): Promise<ShellChannel> {
    await this.acquire();
    let channel: ClientChannel;
    try {
      channel = await this.openExec(command);
    } catch (e) {
      this.release();
      throw e;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release();
    };
    let exit = '';
    channel.on('exit', (code: number | null, signal?: string) => {
      exit =
        typeof code === 'number'
          ? `exit code ${code}`
          : signal
            ? `killed by ${signal.startsWith('SIG') ? signal : `SIG${signal}`}`
            : '';
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

  /**
   * One exec channel: stdin written and closed, stdout and stderr collected. `command` must be plain shell
   * words (no operators): with a timeout it becomes the arguments of a remote watchdog.
   */
  async run(command: string, opts: { stdin?: string; timeoutMs?: number; what: string }): Promise<RunResult> {
    await this.acquire();
    let channel: ClientChannel;
    try {
      channel = await this.openExec(withWatchdog(command, opts.timeoutMs));
    } catch (e) {
      this.release();
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
        this.release();
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
          reject(new MonitorError(`${opts.what} on ${this.conn.label} timed out after ${ms} ms`, 'timeout'));
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
