// The describer kept current by the real dockerd's event stream: zero Engine API requests per refresh in steady
// state, containers created, started, renamed, made unhealthy or removed between refreshes shown by the first
// describe() after their event, status texts as `docker ps` prints them, and a cut stream that falls back to
// listing and recovers. Containers made here are named dm-ev-* and removed in finally. Run `bash scripts/test-env.sh` first.
import { execFile, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/core/collect/collector';
import { DockerDescriber } from '../../src/core/docker/describe';
import type { DockerContainerMeta } from '../../src/core/docker/describe';
import { DockerEngine } from '../../src/core/docker/engineApi';
import type { EngineEvent } from '../../src/core/docker/engineApi';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import type { Transport } from '../../src/core/transport/types';
import { dockerReady, dockerSkipReason, makeSshHome, sshReady, sshSkipReason } from './env';

const execFileAsync = promisify(execFile);
const SOCKET = '/var/run/docker.sock';
const PREFIX = `dm-ev-${process.pid}`;
const made: string[] = [];
const describers: DockerDescriber[] = [];

afterAll(() => {
  for (const d of describers) d.close();
  for (const name of made) spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
});

/** Async: a synchronous exec would hold our event stream back until it returned. */
async function docker(...args: string[]): Promise<string> {
  return (await execFileAsync('docker', args)).stdout.trim();
}

/** Opens the local socket and remembers each stream with its request line, so a test can cut one. */
function opener() {
  const streams: { line: string; socket: Socket }[] = [];
  const open = () =>
    new Promise<Socket>((res, rej) => {
      const s = createConnection(SOCKET);
      const entry = { line: '', socket: s };
      streams.push(entry);
      const write = s.write.bind(s) as (...args: unknown[]) => boolean;
      s.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (!entry.line) entry.line = String(chunk).split('\r\n')[0];
        return write(chunk, ...rest);
      }) as Socket['write'];
      s.once('connect', () => res(s));
      s.once('error', rej);
    });
  return { open, streams };
}

/** A describer on the real daemon, a log of the events it passes on, and a way to wait for one. */
function setup(options: { eventsRetryMs?: number } = {}) {
  const { open, streams } = opener();
  const engine = new DockerEngine(open);
  const describer = new DockerDescriber(engine, options);
  describers.push(describer);
  const seen: EngineEvent[] = [];
  const follow = () => {
    const ac = new AbortController();
    const following = describer.follow((e) => seen.push(e), ac.signal).catch((e: unknown) => e);
    return { stop: () => ac.abort(), following };
  };
  const waitEvent = async (id: string, action: string) => {
    const until = Date.now() + 15_000;
    while (!seen.some((e) => e.Actor.ID === id && e.Action.startsWith(action))) {
      if (Date.now() > until)
        throw new Error(`no ${action} event for ${id.slice(0, 12)}; saw ${seen.map((e) => e.Action).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Requests one describe() sends, and its result. */
  const measured = async () => {
    const before = engine.requestCount;
    const result = await describer.describe();
    return { result, requests: engine.requestCount - before };
  };
  return { engine, describer, streams, seen, follow, waitEvent, measured };
}

/** First use, then the replayed events drained: what follows is steady state. */
async function warm(s: ReturnType<typeof setup>): Promise<void> {
  expect((await s.describer.describe()).status.reachable).toBe(true);
  expect(s.describer.eventStream).toBe('live');
  await s.describer.describe();
}

function byName(metas: DockerContainerMeta[], name: string): DockerContainerMeta | undefined {
  return metas.find((c) => c.name === name);
}

/** Another suite's container moving, seen as an event: makes a request count meaningless, so try again. */
const othersMoved = (seen: EngineEvent[], from: number) => seen.slice(from).some((e) => !e.Action.startsWith('exec_'));

describe.skipIf(!dockerReady)(
  `Describer on the real event stream (${dockerReady ? 'dockerd up' : dockerSkipReason})`,
  () => {
    it('steady state: zero Engine API requests across refreshes (one per refresh without events)', async () => {
      let counts: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const s = setup();
        const { following, stop } = s.follow();
        await warm(s);
        const from = s.seen.length;
        counts = [];
        for (let i = 0; i < 5; i++) {
          const { result, requests } = await s.measured();
          expect(result.status.reachable).toBe(true);
          counts.push(requests);
          await new Promise((r) => setTimeout(r, 200));
        }
        stop();
        await following;
        if (!othersMoved(s.seen, from)) break;
      }
      expect(counts).toEqual([0, 0, 0, 0, 0]);

      // The same refreshes without the stream (the behaviour before): one list each.
      const { open } = opener();
      const engine = new DockerEngine(open);
      const listing = new DockerDescriber(engine, { followEvents: false });
      await listing.describe();
      const before = engine.requestCount;
      for (let i = 0; i < 5; i++) await listing.describe();
      expect(engine.requestCount - before).toBeGreaterThanOrEqual(5);
      console.log(
        `Engine API requests per refresh: ${counts.join(', ')} with events; ${(engine.requestCount - before) / 5} without`,
      );
    });

    it('a container created, started, renamed, then removed shows in the first describe() after its event', async () => {
      const s = setup();
      const { stop } = s.follow();
      await warm(s);
      const name = `${PREFIX}-life`;
      made.push(name, `${name}-renamed`);
      const id = await docker('create', '--name', name, 'dm-busybox:test', 'sleep', '600');
      await s.waitEvent(id, 'create');
      let r = await s.measured();
      expect(byName(r.result.containers, name)).toMatchObject({
        id,
        state: 'created',
        status: 'Created',
        initPid: null,
      });
      // The new container's inspect, and nothing else: no list.
      expect(r.requests).toBe(1);

      await docker('start', name);
      await s.waitEvent(id, 'start');
      r = await s.measured();
      const started = byName(r.result.containers, name)!;
      expect(started.state).toBe('running');
      expect(started.initPid).toBe(Number(await docker('inspect', '-f', '{{.State.Pid}}', name)));
      expect(started.status).toMatch(/^Up (Less than a second|1 second|\d seconds)$/);

      await docker('rename', name, `${name}-renamed`);
      await s.waitEvent(id, 'rename');
      r = await s.measured();
      expect(byName(r.result.containers, `${name}-renamed`)?.id).toBe(id);
      expect(byName(r.result.containers, name)).toBeUndefined();

      await docker('rm', '-f', `${name}-renamed`);
      await s.waitEvent(id, 'destroy');
      r = await s.measured();
      expect(r.result.containers.find((c) => c.id === id)).toBeUndefined();
      // kill and die marked it, destroy unmarked it: gone without asking.
      expect(r.requests).toBe(0);
      stop();
    });

    it('a health change shows in the next describe(); the health check execs cause no inspect', async () => {
      const s = setup();
      const { stop } = s.follow();
      await warm(s);
      const name = `${PREFIX}-health`;
      made.push(name);
      const id = await docker(
        'run',
        '-d',
        '--name',
        name,
        '--health-cmd',
        'exit 1',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        'dm-busybox:test',
        'sleep',
        '600',
      );
      await s.waitEvent(id, 'start');
      const first = byName((await s.describer.describe()).containers, name)!;
      expect(first.health).toBe('starting');
      expect(first.status).toMatch(/\(health: starting\)$/);
      await s.waitEvent(id, 'health_status: unhealthy');
      const r = await s.measured();
      const after = byName(r.result.containers, name)!;
      expect(after.health).toBe('unhealthy');
      expect(after.status).toMatch(/^Up .+ \(unhealthy\)$/);
      expect(after.status).toBe(await docker('ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'));

      // Checks keep running (exec_create, exec_start, exec_die each second) and change nothing shown. The
      // describer passes on no exec events, so count them on a stream of the test's own.
      const watch = new AbortController();
      const execs: string[] = [];
      const watching = new DockerEngine(opener().open).events((e) => {
        if (e.Actor.ID === id && e.Action.startsWith('exec_')) execs.push(e.Action);
      }, watch.signal);
      const from = s.seen.length;
      const requestsBefore = s.engine.requestCount;
      await new Promise((r2) => setTimeout(r2, 2500));
      await s.describer.describe();
      watch.abort();
      await watching;
      expect(execs.length).toBeGreaterThanOrEqual(3);
      if (!othersMoved(s.seen, from)) expect(s.engine.requestCount - requestsBefore).toBe(0);
      stop();
    });

    it('status texts equal `docker ps` for the dm-* containers: running, created, exited, paused', async () => {
      const exited = `${PREFIX}-exited`;
      const paused = `${PREFIX}-paused`;
      made.push(exited, paused);
      await docker('run', '-d', '--name', exited, 'dm-busybox:test', 'sh', '-c', 'exit 3');
      expect(await docker('wait', exited)).toBe('3');
      await docker('run', '-d', '--name', paused, 'dm-busybox:test', 'sleep', '600');
      await docker('pause', paused);
      const s = setup();
      await warm(s);
      const ps = async () =>
        new Map(
          (await docker('ps', '-a', '--filter', 'name=^dm-', '--format', '{{.Names}}\t{{.Status}}'))
            .split('\n')
            .map((l) => l.split('\t') as [string, string]),
        );
      // Read between two `docker ps`: a text may tick over at a boundary between the readings, never more.
      const before = await ps();
      const { containers } = await s.describer.describe();
      const after = await ps();
      // Only ours: other dm-* containers on this machine (another project's) are not ours to assert about.
      const names = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi', 'dm-stopped', exited, paused];
      const mine = containers.filter((c) => names.includes(c.name) && before.has(c.name) && after.has(c.name));
      for (const name of names) {
        expect(mine.map((c) => c.name)).toContain(name);
      }
      for (const c of mine) expect([before.get(c.name), after.get(c.name)], c.name).toContain(c.status);
      expect(byName(mine, exited)?.status).toMatch(/^Exited \(3\) /);
      expect(byName(mine, paused)?.status).toMatch(/ \(Paused\)$/);
      expect(byName(mine, 'dm-stopped')?.status).toBe('Created');
    });

    it('a cut event stream: the describer lists again, then reopens the stream and is back to zero requests', async () => {
      const s = setup({ eventsRetryMs: 300 });
      const { following } = s.follow();
      await warm(s);
      const events = s.streams.filter((x) => x.line.includes('/events?'));
      expect(events).toHaveLength(1);
      expect(events[0].line).toMatch(/since=\d+/);
      events[0].socket.destroy();
      const lost = await following;
      expect(lost).toMatchObject({ code: 'docker-unavailable' });
      expect(s.describer.eventStream).toBe('down');

      // Meanwhile nothing tells of changes: a container made now must still show, from the list.
      const name = `${PREFIX}-cut`;
      made.push(name);
      const id = await docker('create', '--name', name, 'dm-busybox:test', 'sleep', '600');
      const linesBefore = s.streams.length;
      const listed = await s.describer.describe();
      expect(listed.containers.find((c) => c.id === id)?.name).toBe(name);
      expect(s.streams.slice(linesBefore).map((x) => x.line)).toContain('GET /v1.41/containers/json?all=1 HTTP/1.1');

      // After the backoff: /info (the daemon's clock for `since`), /events, the list; then nothing again.
      await new Promise((r) => setTimeout(r, 400));
      const reopenFrom = s.streams.length;
      await s.describer.describe();
      expect(s.describer.eventStream).toBe('live');
      const reopened = s.streams.slice(reopenFrom).map((x) => x.line.replace(/\?\S*/, '?…'));
      expect(reopened.slice(0, 3)).toEqual([
        'GET /v1.41/info HTTP/1.1',
        'GET /v1.41/events?… HTTP/1.1',
        'GET /v1.41/containers/json?… HTTP/1.1',
      ]);
      await s.describer.describe(); // drains what the reopened stream replayed
      const quiet = await s.measured();
      expect(quiet.result.containers.find((c) => c.id === id)).toBeDefined();
      expect(quiet.requests).toBe(0);

      // And it follows events again.
      await docker('rm', '-f', name);
      await new Promise((r) => setTimeout(r, 300));
      expect((await s.describer.describe()).containers.find((c) => c.id === id)).toBeUndefined();
    });
  },
);

describe.skipIf(!dockerReady || !sshReady)(
  `Collector over SSH (${!dockerReady ? dockerSkipReason : sshSkipReason})`,
  () => {
    it('a warm connection: per refresh one batch and no Docker channel or Engine API request', async () => {
      const { home } = makeSshHome();
      const transport = await openTransport(parseTarget('dmtest'), { home });
      const calls = { readBatch: 0, openUnixSocket: 0, exec: 0 };
      // Counts what the collector asks of the transport; the transport itself is untouched.
      const counted = new Proxy(transport, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (prop in calls) calls[prop as keyof typeof calls]++;
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as Transport;
      const collector = new Collector(counted);
      try {
        let perRefresh: (typeof calls & { engine: number })[] = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          await collector.sample();
          await collector.sample(); // drains the events the new stream replayed
          perRefresh = [];
          let moved = false;
          const watch = new AbortController();
          const following = collector.followDockerEvents(() => (moved = true), watch.signal);
          for (let i = 0; i < 3; i++) {
            const before = { ...calls, engine: collector.dockerRequests };
            await collector.sample();
            perRefresh.push({
              readBatch: calls.readBatch - before.readBatch,
              openUnixSocket: calls.openUnixSocket - before.openUnixSocket,
              exec: calls.exec - before.exec,
              engine: collector.dockerRequests - before.engine,
            });
          }
          watch.abort();
          await following;
          if (!moved) break;
        }
        expect(perRefresh).toEqual(Array(3).fill({ readBatch: 1, openUnixSocket: 0, exec: 0, engine: 0 }));
      } finally {
        await collector.close();
      }
    });
  },
);
