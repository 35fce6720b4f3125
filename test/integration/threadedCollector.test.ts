// The local collector on its worker thread, as the extension runs it: the snapshot it hands over in parts is the
// whole of what dockerd and /proc show, events cross the thread, and a thread that cannot start or is closed
// fails what waits on it instead of leaving it hanging. The worker is bundled here from the current sources
// (esbuild, as `npm run build` does), so the test never runs a stale dist/.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadedCollector } from '../../src/core/collect/threadedCollector';
import { FULL_DEMAND } from '../../src/core/collect/demand';
import type { EngineEvent } from '../../src/core/docker/engineApi';
import { MonitorError } from '../../src/core/errors';
import { dockerReady, dockerSkipReason, inspect, ownContainerIds, TEST_LABEL } from './env';

const execFileAsync = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'dm-thread-'));
const workerFile = join(dir, 'collectorThread.js');
const NAME = `dm-thread-${process.pid}`;
const collectors: ThreadedCollector[] = [];

function open(options: ConstructorParameters<typeof ThreadedCollector>[1] = {}): ThreadedCollector {
  const c = new ThreadedCollector(workerFile, options);
  collectors.push(c);
  return c;
}

beforeAll(async () => {
  await build({
    entryPoints: ['src/core/collect/collectorThread.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: workerFile,
    logLevel: 'error',
  });
});

afterAll(async () => {
  await Promise.all(collectors.map((c) => c.close()));
  spawnSync('docker', ['rm', '-f', NAME], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!dockerReady)(
  `the collector on a worker thread (${dockerReady ? 'real dockerd' : dockerSkipReason})`,
  () => {
    it('hands over, one container and two processes per part, every test container and every process /proc lists', async () => {
      const c = open({ containersPerPart: 1, processesPerPart: 2 });
      await c.sample({ demand: FULL_DEMAND });
      const before = new Set(
        readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .map(Number),
      );
      const s = await c.sample({ demand: FULL_DEMAND });
      const after = new Set(
        readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .map(Number),
      );

      const ours = ownContainerIds();
      const ids = s.containers.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length); // no part delivered twice
      for (const id of ours) expect(ids).toContain(id);
      const limited = s.containers.find((x) => x.name === 'dm-limited')!;
      const info = inspect('dm-limited');
      expect(limited.initPid).toBe(info.State.Pid);
      expect(limited.memory.limitBytes).toBe(info.HostConfig.Memory);

      const pids = s.processes.map((p) => p.pid);
      expect(new Set(pids).size).toBe(pids.length);
      // Every process that lived through the sample is in it, and nothing that never existed.
      const lived = [...before].filter((p) => after.has(p));
      const missing = lived.filter((p) => !pids.includes(p));
      expect(
        missing,
        `processes /proc listed before and after, absent from the snapshot: ${missing.join(' ')}`,
      ).toEqual([]);
      for (const p of pids) expect(before.has(p) || after.has(p)).toBe(true);
      expect(s.host.hostname.length).toBeGreaterThan(0);
      expect(c.dockerRequests).toBeGreaterThan(0);
    });

    it('carries the Docker events of its own stream across the thread, and ends the stream on abort', async () => {
      const c = open();
      await c.sample();
      const seen: EngineEvent[] = [];
      const abort = new AbortController();
      const following = c.followDockerEvents((e) => seen.push(e), abort.signal);
      const id = (
        await execFileAsync('docker', [
          'run',
          '-d',
          '--name',
          NAME,
          '--label',
          TEST_LABEL,
          'dm-busybox:test',
          'sleep',
          '300',
        ])
      ).stdout.trim();
      const deadline = Date.now() + 20_000;
      while (!seen.some((e) => e.Actor.ID === id && e.Action === 'start') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(
        seen.some((e) => e.Actor.ID === id && e.Action === 'start'),
        `events seen: ${seen.map((e) => `${e.Action} ${e.Actor.ID.slice(0, 12)}`).join(', ')}`,
      ).toBe(true);
      abort.abort();
      await expect(following).resolves.toBeUndefined();
      const s = await c.sample();
      expect(s.containers.find((x) => x.id === id)?.name).toBe(NAME);
    });

    it('passes its options to the thread: a Docker socket that does not exist leaves the snapshot without the API', async () => {
      const c = open({ socketPath: join(dir, 'no.sock') });
      const s = await c.sample();
      expect(s.docker.reachable).toBe(false);
      expect(s.warnings.join('\n')).toMatch(/Docker API unreachable/);
      // The containers are still found from their cgroups.
      for (const id of ownContainerIds(false)) expect(s.containers.map((x) => x.id)).toContain(id);
    });
  },
);

describe('the collector thread yields the cores to the extension host', () => {
  /** nice (field 19 of /proc/<pid>/task/<tid>/stat) of each of this process's threads, by TID. */
  const threadNice = (): Map<number, number> =>
    new Map(
      readdirSync(`/proc/${process.pid}/task`).map((tid) => {
        const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
        return [Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
      }),
    );

  it('runs at nice 10 on a thread of its own, while this thread keeps its priority', async () => {
    const before = threadNice();
    const c = open({ socketPath: '/nonexistent/docker.sock' });
    await c.sample();
    const after = threadNice();
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === 10);
    expect(lowered.length).toBe(1);
    expect(after.get(process.pid)).toBe(before.get(process.pid));
    expect(before.get(process.pid)).not.toBe(10);
  });
});

describe('a collector thread that cannot run, or is closed', () => {
  it('fails a refresh with a MonitorError when the thread cannot start, instead of hanging', async () => {
    const broken = new ThreadedCollector(join(dir, 'missing.js'));
    collectors.push(broken);
    const err = await broken.sample().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).message).toMatch(/collector thread (failed|exited)/);
  });

  it('fails what waits on it when closed, and every later call', async () => {
    const c = open();
    const pending = expect(c.sample()).rejects.toThrow(/closed/);
    const following = expect(c.followDockerEvents(() => undefined, new AbortController().signal)).rejects.toThrow(
      /closed/,
    );
    await c.close();
    await pending;
    await following;
    await expect(c.sample()).rejects.toBeInstanceOf(MonitorError);
  });
});
