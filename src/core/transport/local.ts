// The machine we run on as a Transport: batch reads with node:fs, commands without a shell, sockets with
// node:net. readBatch returns what the sh batch script (batchScript.ts) returns for the same plan here.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { validateBatchPlan } from './batchScript';
import { SlicedBatch } from './localBatch';
import { CgroupDirCache } from './localCgroupDirs';
import { MonitorError } from '../errors';
import type { BatchPlan, BatchResult, ExecResult, Transport } from './types';

const MAX_EXEC_OUTPUT = 64 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5000;

function socketError(path: string, err: NodeJS.ErrnoException): MonitorError {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new MonitorError(
        `permission denied on ${path}: this user may not use the Docker socket (docker group?)`,
        'docker-denied',
      );
    case 'ENOENT':
      return new MonitorError(`no socket at ${path}: is the Docker daemon running?`, 'docker-unavailable');
    case 'ECONNREFUSED':
      return new MonitorError(
        `nothing accepts connections on ${path}: is the Docker daemon running?`,
        'docker-unavailable',
      );
    default:
      return new MonitorError(`cannot connect to ${path}: ${err.code ?? err.message}`, 'docker-unavailable');
  }
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly label = 'local';
  private readonly cgroups = new CgroupDirCache();
  private closed = false;
  private readonly closeListeners = new Set<(error: MonitorError | null) => void>();

  async readBatch(plan: BatchPlan): Promise<BatchResult> {
    validateBatchPlan(plan);
    const started = performance.now();
    const result = await new SlicedBatch(this.cgroups).run(plan);
    return { ...result, durationMs: performance.now() - started };
  }

  exec(argv: string[], options: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      return Promise.reject(new MonitorError('exec needs a command and arguments without NUL bytes', 'bad-argument'));
    }
    const { timeoutMs, stdin } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      return Promise.reject(new MonitorError(`invalid timeout: ${String(timeoutMs)} ms`, 'bad-argument'));
    }
    const command = argv[0];
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv.slice(1), { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: MonitorError | null = null;
      const fail = (e: MonitorError): void => {
        failure ??= e;
        child.kill('SIGKILL');
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_EXEC_OUTPUT)
          fail(new MonitorError(`${command} printed more than ${MAX_EXEC_OUTPUT >> 20} MiB`, 'internal'));
        else into.push(chunk);
      };
      child.stdout?.on('data', collect(out));
      child.stderr?.on('data', collect(err));
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () => fail(new MonitorError(`${command} did not finish within ${timeoutMs} ms`, 'timeout')),
              timeoutMs,
            );
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code === 'ENOENT') reject(new MonitorError(`command not found: ${command}`, 'not-found'));
        else if (e.code === 'EACCES')
          reject(new MonitorError(`cannot run ${command}: permission denied`, 'bad-argument'));
        else reject(new MonitorError(`cannot run ${command}: ${e.code ?? e.message}`, 'internal'));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
      });
      if (child.stdin) {
        // The command may exit without reading its input: EPIPE is not our error.
        child.stdin.on('error', () => undefined);
        child.stdin.end(stdin);
      }
    });
  }

  openUnixSocket(path: string): Promise<Duplex> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      return Promise.reject(
        new MonitorError('a unix socket path must be a non-empty string without NUL', 'bad-argument'),
      );
    }
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MonitorError(`no answer from ${path} within ${CONNECT_TIMEOUT_MS} ms`, 'timeout'));
      }, CONNECT_TIMEOUT_MS);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(socketError(path, err));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  /** This machine never drops: listeners hear null once close() is called. */
  onClose(listener: (error: MonitorError | null) => void): () => void {
    if (this.closed) {
      queueMicrotask(() => listener(null));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(null);
    this.closeListeners.clear();
  }
}
