// The describer's event logic against a scripted daemon on a unix socket (the real one is in
// test/integration/dockerEvents.test.ts): what an event costs, and bad input on the stream (not JSON, odd
// objects, a stream that ends) that must fall back to listing, never throw.
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerDescriber } from '../../../src/core/docker/describe';
import { DockerEngine } from '../../../src/core/docker/engineApi';
import type { ContainerInspect, ContainerSummary } from '../../../src/core/docker/engineApi';

const FIXTURES = join(__dirname, '../fixtures/docker');
const load = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
const version = load<object>('version.json');
const info = { ...load<object>('info.json'), SystemTime: new Date().toISOString() };
const limited = load<ContainerInspect>('inspect-dm-limited.json');
const stopped = load<ContainerInspect>('inspect-dm-stopped.json');
const summaries = load<ContainerSummary[]>('containers-list.json').filter(
  (s) => s.Id === limited.Id || s.Id === stopped.Id,
);

/** A daemon whose containers and event stream the test drives; it logs each request path. */
class FakeDaemon {
  readonly paths: string[] = [];
  readonly containers = new Map<string, ContainerInspect>([
    [limited.Id, limited],
    [stopped.Id, stopped],
  ]);
  streams: ServerResponse[] = [];
  private server: Server;
  readonly dir = mkdtempSync(join(tmpdir(), 'dm-fake-'));
  readonly path = join(this.dir, 'docker.sock');

  constructor() {
    this.server = createServer((req, res) => {
      const url = req.url ?? '';
      this.paths.push(url.split('?')[0]);
      const json = (body: unknown, status = 200) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url === '/version') return json(version);
      if (url.endsWith('/info')) return json(info);
      if (url.includes('/containers/json')) return json(summaries.filter((s) => this.containers.has(s.Id)));
      if (url.includes('/events')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        this.streams.push(res);
        return;
      }
      const m = /\/containers\/([0-9a-f]{64})\/json$/.exec(url);
      const c = m ? this.containers.get(m[1]) : undefined;
      return c ? json(c) : json({ message: 'No such container' }, 404);
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  /** Writes raw text on every open event stream. */
  send(text: string): void {
    for (const s of this.streams) s.write(text);
  }

  event(id: string, Action: string): void {
    this.send(
      JSON.stringify({ Type: 'container', Action, Actor: { ID: id, Attributes: {} }, time: 0, timeNano: 0 }) + '\n',
    );
  }

  close(): Promise<void> {
    for (const s of this.streams) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  engine(): DockerEngine {
    const open = () =>
      new Promise<Socket>((res, rej) => {
        const s = createConnection(this.path);
        s.once('connect', () => res(s));
        s.once('error', rej);
      });
    return new DockerEngine(open, this.path, { timeoutMs: 1000 });
  }
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
let daemons: FakeDaemon[] = [];
let describers: DockerDescriber[] = [];
afterEach(async () => {
  for (const d of describers) d.close();
  await Promise.all(daemons.map((d) => d.close()));
  for (const d of daemons) rmSync(d.dir, { recursive: true, force: true });
  daemons = [];
  describers = [];
});

async function start(options: { eventsRetryMs?: number } = {}) {
  const daemon = new FakeDaemon();
  await daemon.listen();
  daemons.push(daemon);
  const describer = new DockerDescriber(daemon.engine(), options);
  describers.push(describer);
  const first = await describer.describe();
  return { daemon, describer, first };
}

describe('DockerDescriber on an event stream', () => {
  it('first use: version, info, events (since the daemon clock), list, inspects; then nothing until an event', async () => {
    const { daemon, describer, first } = await start();
    expect(first.containers.map((c) => c.name).sort()).toEqual(['dm-limited', 'dm-stopped']);
    expect(daemon.paths.slice(0, 4)).toEqual(['/version', '/v1.41/info', '/v1.41/events', '/v1.41/containers/json']);
    expect(daemon.paths.slice(4).sort()).toEqual(
      [limited.Id, stopped.Id].map((id) => `/v1.41/containers/${id}/json`).sort(),
    );
    daemon.paths.length = 0;
    await describer.describe();
    await describer.describe();
    expect(daemon.paths).toEqual([]);
  });

  it('an event marks one container: one inspect; execs mark nothing; destroy removes without asking', async () => {
    const { daemon, describer } = await start();
    daemon.paths.length = 0;
    daemon.event(limited.Id, 'exec_create: sh -c true');
    daemon.event(limited.Id, 'exec_start: sh -c true');
    daemon.event(limited.Id, 'exec_die');
    await tick();
    await describer.describe();
    expect(daemon.paths).toEqual([]);
    daemon.event(limited.Id, 'health_status: healthy');
    await tick();
    await describer.describe();
    expect(daemon.paths).toEqual([`/v1.41/containers/${limited.Id}/json`]);
    daemon.paths.length = 0;
    daemon.containers.delete(stopped.Id);
    daemon.event(stopped.Id, 'destroy');
    await tick();
    const after = await describer.describe();
    expect(after.containers.map((c) => c.name)).toEqual(['dm-limited']);
    expect(daemon.paths).toEqual([]);
  });

  it('a marked container that is gone by its inspect (404) leaves; an unknown id that exists arrives', async () => {
    const { daemon, describer } = await start();
    daemon.containers.delete(limited.Id);
    daemon.event(limited.Id, 'die');
    await tick();
    expect((await describer.describe()).containers.map((c) => c.name)).toEqual(['dm-stopped']);
    daemon.containers.set(limited.Id, limited);
    daemon.event(limited.Id, 'create');
    await tick();
    const back = await describer.describe();
    expect(back.status.reachable).toBe(true);
    expect(back.containers.map((c) => c.name).sort()).toEqual(['dm-limited', 'dm-stopped']);
  });

  it('odd objects on the stream are ignored; text that is not JSON ends the stream: it lists, then reopens', async () => {
    const { daemon, describer } = await start({ eventsRetryMs: 50 });
    daemon.paths.length = 0;
    daemon.send('{"Type":"container","Action":"start"}\n[1,2]\n{"Type":"container","Action":42,"Actor":null}\n"x"\n');
    await tick();
    expect(describer.eventStream).toBe('live');
    await describer.describe();
    expect(daemon.paths).toEqual([]);
    daemon.send('<html>proxy error</html>\n');
    await tick();
    expect(describer.eventStream).toBe('down');
    const fallback = await describer.describe();
    expect(fallback.status).toMatchObject({ reachable: true, reason: null });
    expect(fallback.containers).toHaveLength(2);
    expect(daemon.paths).toContain('/v1.41/containers/json');
    await tick(80);
    daemon.paths.length = 0;
    await describer.describe();
    expect(describer.eventStream).toBe('live');
    expect(daemon.paths.slice(0, 3)).toEqual(['/v1.41/info', '/v1.41/events', '/v1.41/containers/json']);
  });

  it('a stream the daemon ends (restart) or cuts mid-object: lists meanwhile, followers are told', async () => {
    const { daemon, describer } = await start({ eventsRetryMs: 10_000 });
    const ac = new AbortController();
    const following = describer.follow(() => undefined, ac.signal).catch((e: unknown) => e);
    daemon.send('{"Type":"container","Action":"st');
    for (const s of daemon.streams) s.end();
    expect(await following).toMatchObject({ code: 'docker-unavailable' });
    daemon.paths.length = 0;
    for (let i = 0; i < 2; i++) expect((await describer.describe()).containers).toHaveLength(2);
    // Within the backoff: a list per describe(), no attempt to reopen.
    expect(daemon.paths.filter((p) => p.endsWith('/containers/json'))).toHaveLength(2);
    expect(daemon.paths).not.toContain('/v1.41/events');
    // While it is down, a new follower is told at once (the session then waits before asking again).
    await expect(describer.follow(() => undefined, ac.signal)).rejects.toMatchObject({ code: 'docker-unavailable' });
  });

  it('the daemon gone: unreachable with its reason; back: the stream opens again at once', async () => {
    const { daemon, describer } = await start({ eventsRetryMs: 10_000 });
    await daemon.close();
    await tick();
    const gone = await describer.describe();
    expect(gone.status.reachable).toBe(false);
    expect(gone.status.reason).toContain(daemon.path);
    daemon.paths.length = 0;
    const again = new FakeDaemon();
    Object.assign(again, { path: daemon.path });
    await again.listen();
    daemons.push(again);
    const back = await describer.describe();
    expect(back.status.reachable).toBe(true);
    expect(describer.eventStream).toBe('live');
    expect(again.paths.slice(0, 4)).toEqual(['/version', '/v1.41/info', '/v1.41/events', '/v1.41/containers/json']);
  });
});
