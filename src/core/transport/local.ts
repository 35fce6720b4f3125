// The machine we run on as a Transport: batch reads with node:fs, commands without a shell, sockets with
// node:net. readBatch returns what the sh batch script (batchScript.ts) returns for the same plan here.
import { spawn } from 'node:child_process';
import { constants, fstatSync } from 'node:fs';
import { open, readdir, readlink, statfs } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { validateBatchPlan } from './batchScript';
import { escapeGlob, expandGlob } from './glob';
import { MonitorError } from './types';
import type { BatchPlan, BatchResult, ExecResult, StatfsResult, Transport } from './types';

/** Open files at once: far below the usual 1024 fd limit, enough to keep the thread pool busy. */
const READ_CONCURRENCY = 64;
/** Most /proc and sysfs files fit in one read of this size. */
const READ_CHUNK = 16 * 1024;
const MAX_EXEC_OUTPUT = 64 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5000;
const PROC_CGROUP = /^\/proc\/[0-9]+\/cgroup$/;
const PROC_NS_NET = /^\/proc\/([0-9]+)\/ns\/net$/;

type Limit = <T>(task: () => Promise<T>) => Promise<T>;

function createLimit(max: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so that a newcomer cannot slip in and exceed max.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * A path that vanished (a process exited), is not readable (EACCES on another user's /proc/PID/fd, ESRCH,
 * EINVAL on a non-link) or is not a file is left out, exactly as the script's 2>/dev/null leaves it out.
 */
async function orSkip<T>(op: Promise<T>): Promise<T | undefined> {
  try {
    return await op;
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code === 'string') return undefined;
    throw err;
  }
}

async function expandAll(patterns: string[]): Promise<string[]> {
  const lists = await Promise.all(patterns.map((p) => expandGlob(p, (dir) => readdir(dir))));
  return [...new Set(lists.flat())];
}

/**
 * A regular file's whole content as UTF-8, or undefined for anything else (directory, FIFO, device, socket),
 * as `grep -d skip -D skip` does in the script. Opened non-blocking so that a FIFO planted in a container's
 * root cannot hang us; fstat on the open fd is a cheap syscall, done inline rather than in the thread pool.
 * Not fs.readFile: its extra round trips made a /proc walk about twice as slow.
 */
async function readText(path: string): Promise<string | undefined> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fh.fd).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const chunks: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await fh.close();
  }
}

async function readFiles(patterns: string[], limit: Limit): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const paths = await expandAll(patterns);
  await Promise.all(
    paths.map((p) =>
      limit(async () => {
        const text = await orSkip(readText(p));
        // The script cannot tell whether a file ended in NUL (grep -z adds one), so neither side keeps it.
        if (text !== undefined) out.set(p, text.endsWith('\0') ? text.slice(0, -1) : text);
      }),
    ),
  );
  return out;
}

async function readLinks(patterns: string[], limit: Limit): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const paths = await expandAll(patterns);
  await Promise.all(
    paths.map((p) =>
      limit(async () => {
        const target = await orSkip(readlink(p));
        if (target !== undefined) out.set(p, target);
      }),
    ),
  );
  return out;
}

/** Distinct cgroup paths (third field onwards of /proc/PID/cgroup lines) matching `pattern`, like `cut -s -d: -f3-`. */
function cgroupPaths(files: Map<string, string>, pattern: string): string[] {
  const re = new RegExp(pattern);
  const found = new Set<string>();
  for (const [path, content] of files) {
    if (!PROC_CGROUP.test(path)) continue;
    for (const line of content.split('\n')) {
      const first = line.indexOf(':');
      if (first === -1) continue;
      const second = line.indexOf(':', first + 1);
      const cg = second === -1 ? '' : line.slice(second + 1);
      if (re.test(cg)) found.add(cg);
    }
  }
  return [...found];
}

/** The lowest PID in each network namespace, from /proc/PID/ns/net link targets. */
function onePidPerNetns(links: Map<string, string>): number[] {
  const lowest = new Map<string, number>();
  for (const [path, target] of links) {
    const m = PROC_NS_NET.exec(path);
    if (!m) continue;
    const pid = Number(m[1]);
    const seen = lowest.get(target);
    if (seen === undefined || pid < seen) lowest.set(target, pid);
  }
  return [...lowest.values()];
}

async function readStatfs(patterns: string[], limit: Limit): Promise<Map<string, StatfsResult>> {
  const out = new Map<string, StatfsResult>();
  const paths = await expandAll(patterns);
  await Promise.all(
    paths.map((p) =>
      limit(async () => {
        const st = await orSkip(statfs(p));
        if (st === undefined) return;
        const bsize = Number(st.bsize);
        out.set(p, {
          totalBytes: bsize * Number(st.blocks),
          freeBytes: bsize * Number(st.bfree),
          availableBytes: bsize * Number(st.bavail),
        });
      }),
    ),
  );
  return out;
}

function socketError(path: string, err: NodeJS.ErrnoException): MonitorError {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new MonitorError(`permission denied on ${path}: this user may not use the Docker socket (docker group?)`, 'docker-denied');
    case 'ENOENT':
      return new MonitorError(`no socket at ${path}: is the Docker daemon running?`, 'docker-unavailable');
    case 'ECONNREFUSED':
      return new MonitorError(`nothing accepts connections on ${path}: is the Docker daemon running?`, 'docker-unavailable');
    default:
      return new MonitorError(`cannot connect to ${path}: ${err.code ?? err.message}`, 'docker-unavailable');
  }
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly label = 'local';

  async readBatch(plan: BatchPlan): Promise<BatchResult> {
    validateBatchPlan(plan);
    const started = performance.now();
    const limit = createLimit(READ_CONCURRENCY);

    // The script runs its stages in sequence; here the independent chains overlap: files then their
    // cgroups, links then their network namespaces, and statfs.
    const fileChain = (async () => {
      const first = await readFiles(plan.files, limit);
      const cg = plan.cgroups;
      if (!cg || cg.files.length === 0) return [first];
      const root = escapeGlob(cg.root);
      const patterns = cgroupPaths(first, cg.pattern).flatMap((path) =>
        cg.files.flatMap((f) => [`${root}${escapeGlob(path)}/${f}`, `${root}/*${escapeGlob(path)}/${f}`]),
      );
      return [first, await readFiles(patterns, limit)];
    })();
    const linkChain = (async () => {
      const links = await readLinks(plan.links, limit);
      const rel = plan.perNetns ?? [];
      if (rel.length === 0) return { links, netns: new Map<string, string>() };
      const patterns = onePidPerNetns(links).flatMap((pid) => rel.map((p) => `/proc/${pid}/${p}`));
      return { links, netns: await readFiles(patterns, limit) };
    })();
    const [fileMaps, { links, netns }, statfsMap] = await Promise.all([fileChain, linkChain, readStatfs(plan.statfs, limit)]);

    // Later stages win for a path read twice, in the script's order.
    const files = new Map<string, string>();
    for (const m of [...fileMaps, netns]) for (const [k, v] of m) files.set(k, v);
    return { files, links, statfs: statfsMap, durationMs: performance.now() - started };
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
        if (size > MAX_EXEC_OUTPUT) fail(new MonitorError(`${command} printed more than ${MAX_EXEC_OUTPUT >> 20} MiB`, 'internal'));
        else into.push(chunk);
      };
      child.stdout?.on('data', collect(out));
      child.stderr?.on('data', collect(err));
      const timer =
        timeoutMs === undefined ? undefined : setTimeout(() => fail(new MonitorError(`${command} did not finish within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code === 'ENOENT') reject(new MonitorError(`command not found: ${command}`, 'not-found'));
        else if (e.code === 'EACCES') reject(new MonitorError(`cannot run ${command}: permission denied`, 'bad-argument'));
        else reject(new MonitorError(`cannot run ${command}: ${e.code ?? e.message}`, 'internal'));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
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
      return Promise.reject(new MonitorError('a unix socket path must be a non-empty string without NUL', 'bad-argument'));
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

  async close(): Promise<void> {}
}
