// A long-lived remote POSIX sh that answers batch scripts one at a time: one SSH round trip per refresh
// instead of a channel open, an exec request and the login shell's rc files every time.
//
// Each request is written to the shell's stdin as
//   ( <script> ) </dev/null
//   printf '\000%s\000DM-DONE-<nonce>\000' "$?"
// The subshell keeps the script's `exit`, `set`, variables and `exec` redirections away from the long-lived
// shell, and </dev/null keeps it from eating the next request. The reply is everything up to the end marker,
// which carries a fresh random nonce per request: the script's fields are NUL-terminated, so the marker can
// only be forged by content that knows the nonce, and the nonce exists only on this channel (printf is a
// builtin, so it never shows in a process list).
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { MonitorError } from '../errors';

/** The pipes of one running `sh -s`, local or remote. */
export interface ShellChannel {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Calls `listener` once when the shell is gone (its output closed or the channel failed), with why. */
  onEnd(listener: (reason: string) => void): void;
  /** Drops the shell; it sees EOF on its stdin. */
  close(): void;
}

export interface ShellReply {
  /** Everything the script printed on stdout. */
  output: Buffer;
  /** The script's exit status. */
  status: number | null;
  /** From writing the request to reading its end marker. */
  ms: number;
  /** The last of what the shell printed on stderr (bounded), for error messages. */
  stderrTail: string;
}

const STDERR_TAIL = 1000;

/** Rejection of a request whose shell ended under it; `receivedAny` tells whether it had started answering. */
export class ShellEndedError extends MonitorError {
  constructor(
    message: string,
    readonly receivedAny: boolean,
  ) {
    super(message, 'internal');
  }
}

interface InFlight {
  marker: Buffer;
  chunks: Buffer[];
  received: number;
  /** The last marker.length - 1 bytes received, to find a marker split across chunks. */
  carry: Buffer;
  started: number;
  timer: NodeJS.Timeout;
  resolve: (reply: ShellReply) => void;
  reject: (error: MonitorError) => void;
}

/**
 * Wraps one request for the program on the other end of the channel; it must answer with the request's output,
 * then `\0<status>\0DM-DONE-<nonce>\0`. The default is for a POSIX sh (see the top of this file).
 */
export type RequestEncoder = (payload: string, nonce: string) => string;

const shRequest: RequestEncoder = (script, nonce) =>
  `(\n${script}\n) </dev/null\nprintf '\\000%s\\000DM-DONE-${nonce}\\000' "$?"\n`;

/** One shell, one request at a time. Once it has failed (ended, timed out) it stays dead. */
export class ShellSession {
  private current: InFlight | null = null;
  private endError: MonitorError | null = null;
  private stderrTail = '';
  private answered = 0;

  constructor(
    private readonly channel: ShellChannel,
    private readonly label: string,
    private readonly encode: RequestEncoder = shRequest,
    /** What the other end is, for messages: `shell`, `perl reader`. */
    private readonly what = 'shell',
  ) {
    // Nobody reads stderr, so drain it (keeping a short tail): a full pipe would stop the shell.
    channel.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    channel.stdout.on('data', (d: Buffer) => this.onData(d));
    // Stream errors (EPIPE on a dead shell's stdin) end the session; without a listener they would crash.
    for (const s of [channel.stdin, channel.stdout, channel.stderr]) s.on('error', (e: Error) => this.end(e.message));
    channel.onEnd((reason) => this.end(reason));
  }

  get isOpen(): boolean {
    return this.endError === null;
  }

  /** Requests answered so far. */
  get completed(): number {
    return this.answered;
  }

  run(script: string, timeoutMs: number): Promise<ShellReply> {
    if (this.endError) return Promise.reject(this.endError);
    if (this.current) return Promise.reject(new MonitorError(`the ${this.what} on ${this.label} is busy`, 'internal'));
    const nonce = randomBytes(16).toString('hex');
    return new Promise<ShellReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        const e = new MonitorError(`reading ${this.label} timed out after ${timeoutMs} ms`, 'timeout');
        this.fail(e);
        this.channel.close();
      }, timeoutMs);
      const marker = Buffer.from(`\0DM-DONE-${nonce}\0`, 'latin1');
      this.current = {
        marker,
        chunks: [],
        received: 0,
        carry: Buffer.alloc(0),
        started: performance.now(),
        timer,
        resolve,
        reject,
      };
      try {
        this.channel.stdin.write(this.encode(script, nonce));
      } catch (e) {
        this.end((e as Error).message); // a channel already closed may throw rather than emit
      }
    });
  }

  /** Ends the shell; a request in flight rejects with `error` (by default: the shell ended). */
  close(error?: MonitorError): void {
    if (error) this.fail(error);
    else this.end('closed');
    this.channel.close();
  }

  private onData(d: Buffer): void {
    const r = this.current;
    if (!r) return; // nothing is asked: stray output (a late rc file line) belongs to no reply
    const m = r.marker.length;
    // A marker across the chunk boundary starts in `carry`; otherwise it lies wholly inside `d`.
    let at = Buffer.concat([r.carry, d.subarray(0, m - 1)]).indexOf(r.marker);
    if (at !== -1) at += r.received - r.carry.length;
    else {
      const inside = d.indexOf(r.marker);
      if (inside !== -1) at = r.received + inside;
    }
    r.chunks.push(d);
    r.received += d.length;
    if (at === -1) {
      r.carry = d.length >= m - 1 ? d.subarray(d.length - (m - 1)) : Buffer.concat([r.carry, d]).subarray(-(m - 1));
      return;
    }
    // Bytes after the marker would be output nobody asked for; the shell prints none.
    const body = Buffer.concat(r.chunks, r.received).subarray(0, at);
    const nul = body.lastIndexOf(0); // `\0<status>` precedes the marker
    const status = nul === -1 ? null : Number.parseInt(body.subarray(nul + 1).toString('latin1'), 10);
    const reply: ShellReply = {
      output: nul === -1 ? body : body.subarray(0, nul),
      status: status === null || Number.isNaN(status) ? null : status,
      ms: performance.now() - r.started,
      stderrTail: this.stderrTail,
    };
    clearTimeout(r.timer);
    this.current = null;
    this.answered++;
    r.resolve(reply);
  }

  private end(reason: string): void {
    if (this.endError) return;
    const tail = this.stderrTail.trim().split('\n').pop()?.slice(0, 200);
    const why = tail && reason !== 'closed' ? `${reason}; ${tail}` : reason;
    const r = this.current;
    this.fail(
      new ShellEndedError(
        `the remote ${this.what} on ${this.label} ended${r ? ' during the read' : ''} (${why}); the next refresh opens a new one`,
        (r?.received ?? 0) > 0,
      ),
    );
  }

  private fail(e: MonitorError): void {
    this.endError ??= e;
    const r = this.current;
    if (!r) return;
    this.current = null;
    clearTimeout(r.timer);
    r.reject(e);
  }
}

/** After this many shells that could not be opened (or died before answering), use one exec per refresh. */
const MAX_OPEN_FAILURES = 3;

export interface PersistentOptions {
  encode?: RequestEncoder;
  /** What runs on the channel, for messages (`shell` by default). */
  what?: string;
  /** What the caller does instead once none can be opened, for the log. */
  fallback?: string;
}

/**
 * Serializes requests onto one ShellSession, opening it on first use and again after it fails. `run` resolves
 * null when no shell can be had (the caller falls back to one exec per read). An `open` that rejects with
 * code 'not-found' (no such program on the target) gives up at once rather than after MAX_OPEN_FAILURES.
 */
export class PersistentShell {
  private session: ShellSession | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private openFailures = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<ShellChannel>,
    private readonly label: string,
    private readonly log: (line: string) => void = () => undefined,
    private readonly options: PersistentOptions = {},
  ) {}

  /** False once shells kept failing to open: every read goes the fallback way. */
  get usable(): boolean {
    return !this.closed && this.openFailures < MAX_OPEN_FAILURES;
  }

  run(script: string, timeoutMs: number): Promise<ShellReply | null> {
    const p = this.queue.then(() => this.runNow(script, timeoutMs));
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.closed = true;
    this.session?.close(new MonitorError(`connection to ${this.label} was closed`, 'unreachable'));
    this.session = null;
  }

  private async runNow(script: string, timeoutMs: number): Promise<ShellReply | null> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.current();
      if (!session) return null;
      const reused = session.completed > 0;
      try {
        const reply = await session.run(script, timeoutMs);
        this.openFailures = 0;
        return reply;
      } catch (e) {
        if (this.session === session) this.session = null;
        if (e instanceof ShellEndedError && !e.receivedAny) {
          // A shell that had answered before and ended while idle (killed, reaped): the request never ran,
          // and reads are safe to repeat, so once more on a fresh shell.
          if (reused && attempt === 0) continue;
          // A fresh shell that ended without a word: this server may not keep one (ForceCommand, a restricted shell).
          if (!reused) this.noteOpenFailure(e.message);
        }
        throw e;
      }
    }
  }

  private async current(): Promise<ShellSession | null> {
    if (this.closed) throw new MonitorError(`connection to ${this.label} was closed`, 'unreachable');
    if (this.session?.isOpen) return this.session;
    this.session = null;
    if (!this.usable) return null;
    let channel: ShellChannel;
    try {
      channel = await this.open();
    } catch (e) {
      if (e instanceof MonitorError && e.code === 'not-found') this.openFailures = MAX_OPEN_FAILURES - 1;
      this.noteOpenFailure((e as Error).message);
      return null;
    }
    if (this.closed) {
      channel.close();
      throw new MonitorError(`connection to ${this.label} was closed`, 'unreachable');
    }
    this.session = new ShellSession(channel, this.label, this.options.encode, this.options.what);
    return this.session;
  }

  private noteOpenFailure(why: string): void {
    this.openFailures++;
    const what = this.options.what ?? 'shell';
    if (this.openFailures === MAX_OPEN_FAILURES) {
      this.log(
        `ssh: no persistent ${what} on ${this.label} (${why}); ${this.options.fallback ?? 'one exec per refresh'} from now on`,
      );
    } else {
      this.log(`ssh: no persistent ${what} on ${this.label} this time (${why})`);
    }
  }
}
