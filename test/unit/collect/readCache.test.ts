// The tiered reads' cache: a recorded full batch fills it, a tiered batch comes out as if everything had been read,
// and nothing cached outlives its process (PID and start time) or its network namespace.
import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../../src/core/collect/readCache';
import { buildTieredPlan, HOST_FILES } from '../../../src/core/collect/plan';
import type { BatchResult } from '../../../src/core/transport/types';
import { indexBatch } from '../../../src/core/collect/batchIndex';
import type { KnownProcesses } from '../../../src/core/collect/batchIndex';
import { assembleProcesses } from '../../../src/core/collect/assembleProcesses';
import type { AssembledProcess } from '../../../src/core/collect/assembleProcesses';

/** What assembly makes of a batch and the cache's facts: the processes by PID. */
async function assembled(b: BatchResult, known?: KnownProcesses): Promise<Map<number, AssembledProcess>> {
  const list = await assembleProcesses(indexBatch(b, known), 1_700_000_000, new Map([[0, 'root']]));
  return new Map(list.map((p) => [p.pid, p]));
}

const CID = 'a'.repeat(64);

/** A /proc/PID/stat line in the kernel's format (proc(5)): comm in parentheses, then fields 3..52. */
function stat(pid: number, comm: string, start: number, rssPages: number, threads: number): string {
  const f: (string | number)[] = new Array(50).fill(0);
  f[0] = 'S'; // 3 state
  f[1] = 1; // 4 ppid
  f[17] = threads; // 20
  f[19] = start; // 22 starttime
  f[20] = 4096000; // 23 vsize
  f[21] = rssPages; // 24 rss
  return `${pid} (${comm}) ${f.join(' ')}\n`;
}

function status(name: string, nspid: string, rssKb: number, threads: number): string {
  return `Name:\t${name}\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\nVmRSS:\t${rssKb} kB\nThreads:\t${threads}\nNSpid:\t${nspid}\n`;
}

interface Proc {
  pid: number;
  start: number;
  rss: number;
  threads: number;
  container?: boolean;
  net?: string;
}

/** What a reader returns for `procs` when it reads everything (`full`) or only the every-tick part. */
function batch(procs: Proc[], full: boolean, slow = full): BatchResult {
  const files = new Map<string, string>([[HOST_FILES.netDev, 'Inter-|\n face |\n    lo: 0 0\n  eth0: 0 0\n']]);
  const links = new Map<string, string>();
  if (slow) files.set(HOST_FILES.hostname, 'box\n');
  for (const p of procs) {
    const net = p.net ?? 'net:[4026531833]';
    files.set(`/proc/${p.pid}/stat`, stat(p.pid, 'sleep', p.start, p.rss, p.threads));
    links.set(`/proc/${p.pid}/ns/net`, net);
    if (full) {
      files.set(
        `/proc/${p.pid}/status`,
        status('sleep', p.container ? `${p.pid}\t1` : String(p.pid), p.rss * 4, p.threads),
      );
      files.set(
        `/proc/${p.pid}/cgroup`,
        p.container ? `12:memory:/docker/${CID}\n0::/docker/${CID}\n` : '0::/init.scope\n',
      );
      files.set(`/proc/${p.pid}/cmdline`, `sleep\0${p.pid}`);
      links.set(`/proc/${p.pid}/ns/pid`, `pid:[${p.container ? 4026532200 : 4026531836}]`);
      links.set(`/proc/${p.pid}/exe`, '/bin/busybox');
    }
    if (slow || full) links.set(`/proc/${p.pid}/fd/0`, 'socket:[777]');
  }
  if (slow) {
    const rep = Math.min(
      ...procs.filter((p) => (p.net ?? 'net:[4026531833]') === 'net:[4026531833]').map((p) => p.pid),
    );
    files.set(
      `/proc/${rep}/net/tcp`,
      `  sl  local_address rem_address   st\n   0: 00000000:1F90 00000000:0000 0A 0 0 0 0 0 0 0 0 777\n`,
    );
  }
  return { files, links, statfs: new Map(), durationMs: 1 };
}

const A: Proc = { pid: 100, start: 5000, rss: 25, threads: 1 };
const B: Proc = { pid: 200, start: 6000, rss: 50, threads: 3, container: true };

describe('ReadCache', () => {
  it('asks for the slow tier first, then every slowEvery-th refresh', () => {
    const cache = new ReadCache(3);
    const slow: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const req = cache.request(false);
      slow.push(req.slow);
      cache.complete(batch([A], true, req.slow), req, 1000 * i);
    }
    expect(slow).toEqual([true, false, false, true, false, false, true]);
    expect(cache.request(true).slow).toBe(true);
  });

  it('completes a tiered batch to what the full read assembles: facts, fd links, socket tables, host files', async () => {
    const cache = new ReadCache(10);
    const first = cache.request(false);
    cache.complete(batch([A, B], true), first, 1000);
    const req = cache.request(false);
    expect(req.slow).toBe(false);
    expect(req.known).toEqual([
      [100, 5000],
      [200, 6000],
    ]);
    expect(req.cgroupPaths).toEqual([`/docker/${CID}`]);
    // The plan carries the same.
    expect(buildTieredPlan('/var/lib/docker', req).processFacts?.known).toEqual(req.known);

    const grown = { ...B, rss: 80, threads: 4 };
    const tiered = batch([A, grown], false, false);
    expect(tiered.files.has('/proc/200/status')).toBe(false);
    const known = cache.complete(tiered, req, 2000);
    const full = batch([A, grown], true, true);
    for (const key of [HOST_FILES.hostname, '/proc/100/net/tcp'])
      expect(tiered.files.get(key), key).toBe(full.files.get(key));
    // Every field of every process, cmdline, cgroup, namespaces, exe and fds included; what changes in status
    // comes from this refresh's stat: RSS (pages x the page size learnt) and threads.
    const fromCache = await assembled(tiered, known);
    const fromFull = await assembled(full);
    expect([...fromCache.keys()]).toEqual([100, 200]);
    expect(fromCache).toEqual(fromFull);
    expect(fromCache.get(200)).toMatchObject({
      rssBytes: 80 * 4096,
      threads: 4,
      exe: '/bin/busybox',
      nsPid: [200, 1],
      socketInodes: [777],
    });
    // Without the cache's facts the tiered batch assembles nothing: the equality above is the cache's doing.
    expect((await assembled(tiered)).size).toBe(0);
  });

  it('never gives a reused PID the facts of the process that had it before', async () => {
    const cache = new ReadCache(10);
    cache.complete(batch([A, B], true), cache.request(false), 1000);
    const req = cache.request(false);
    const reused = { ...B, start: 9999 }; // same PID, a new process the reader was told nothing about
    const tiered = batch([A, reused], false, false);
    const procs = await assembled(tiered, cache.complete(tiered, req, 2000));
    expect(procs.has(100)).toBe(true);
    expect(procs.has(200)).toBe(false);
    expect(cache.request(false).known).toEqual([[100, 5000]]); // so the next refresh reads its facts
  });

  it("reads the facts of a process again after it exec'd (same PID and start time, new comm)", async () => {
    const cache = new ReadCache(10);
    cache.complete(batch([A, B], true), cache.request(false), 1000);
    const req = cache.request(false);
    const tiered = batch([A, B], false, false);
    tiered.files.set('/proc/200/stat', stat(200, 'httpd', B.start, B.rss, B.threads)); // sh exec'd httpd
    const procs = await assembled(tiered, cache.complete(tiered, req, 2000));
    expect(procs.get(200)?.name).toBe('httpd');
    expect(cache.request(false).known).toEqual([[100, 5000]]); // 200's cmdline and exe are read again next time
  });

  it('forgets exited processes and the socket tables of namespaces that are gone', () => {
    const cache = new ReadCache(2);
    const other: Proc = { pid: 300, start: 7000, rss: 1, threads: 1, net: 'net:[4026532999]' };
    cache.complete(batch([A, other], true), cache.request(false), 1000);
    const req = cache.request(false);
    cache.complete(batch([A], false, false), req, 2000);
    expect(cache.request(false).known).toEqual([[100, 5000]]);
  });

  it('takes fd links fresh on a slow refresh, and keeps them in between', async () => {
    const cache = new ReadCache(2);
    cache.complete(batch([A], true), cache.request(false), 1000);
    const between = cache.request(false);
    const b2 = batch([A], false, false);
    expect((await assembled(b2, cache.complete(b2, between, 2000))).get(100)).toMatchObject({
      openFds: 1,
      socketInodes: [777],
    });
    expect(cache.slowReadAt).toBe(1000);
    const slow = cache.request(false);
    expect(slow.slow).toBe(true);
    const b3 = batch([A], false, true);
    b3.links.delete('/proc/100/fd/0'); // the process closed it
    cache.complete(b3, slow, 3000);
    expect(cache.slowReadAt).toBe(3000);
    const b4 = batch([A], false, false);
    expect((await assembled(b4, cache.complete(b4, cache.request(false), 4000))).get(100)).toMatchObject({
      openFds: null,
      socketInodes: [],
    });
  });
});

describe('ReadCache for what is shown', () => {
  const dir = (h: string) => `/sys/fs/cgroup/${h}/docker/${CID}`;
  it('keeps a container limit from a hierarchy a row refresh reads nothing in (v1 cpuset)', () => {
    const cache = new ReadCache(10);
    const first = batch([A, B], true);
    first.files.set(`${dir('cpuset')}/cpuset.cpus`, '0-1\n');
    first.files.set(`${dir('memory')}/memory.limit_in_bytes`, '67108864\n');
    first.files.set(`${dir('memory')}/memory.usage_in_bytes`, '1000\n');
    cache.complete(first, cache.request(false), 1000);
    const req = cache.request(false, { processes: [], containerDetail: false }, [B.pid]);
    expect(req.stat).toEqual([1, B.pid]);
    const tick = batch([B], false, false);
    tick.files.set(`${dir('memory')}/memory.usage_in_bytes`, '2000\n');
    cache.complete(tick, req, 2000);
    expect(tick.files.get(`${dir('cpuset')}/cpuset.cpus`)).toBe('0-1\n');
    expect(tick.files.get(`${dir('memory')}/memory.limit_in_bytes`)).toBe('67108864\n');
    // A's facts are kept though its stat was not read: only a refresh of every stat knows it is gone.
    expect(cache.request(false).known.map(([pid]) => pid)).toContain(A.pid);
  });

  it('drops the limits of a container none of whose cgroup directories was read', () => {
    const cache = new ReadCache(10);
    const first = batch([A, B], true);
    first.files.set(`${dir('cpuset')}/cpuset.cpus`, '0-1\n');
    cache.complete(first, cache.request(false), 1000);
    const tick = batch([A], false, false);
    cache.complete(tick, cache.request(false), 2000);
    expect(tick.files.has(`${dir('cpuset')}/cpuset.cpus`)).toBe(false);
  });
});

describe('ReadCache pruning from the /proc listing', () => {
  it('forgets a process the listing no longer has, though its stat was not read', () => {
    const cache = new ReadCache(10);
    cache.complete(batch([A, B], true), cache.request(false), 1000);
    const req = cache.request(false, { processes: [], containerDetail: false }, [B.pid]);
    expect(req.stat).not.toBe('all');
    const tick = batch([B], false, false);
    tick.pids = [1, B.pid]; // A is gone
    cache.complete(tick, req, 2000);
    expect(cache.request(false).known.map(([pid]) => pid)).toEqual([B.pid]);
    // Without a listing nothing is pruned: the process may be alive and just not shown.
    const cache2 = new ReadCache(10);
    cache2.complete(batch([A, B], true), cache2.request(false), 1000);
    const req2 = cache2.request(false, { processes: [], containerDetail: false }, [B.pid]);
    cache2.complete(batch([B], false, false), req2, 2000);
    expect(
      cache2
        .request(false)
        .known.map(([pid]) => pid)
        .sort(),
    ).toEqual([A.pid, B.pid]);
  });
});
