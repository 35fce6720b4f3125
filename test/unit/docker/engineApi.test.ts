// The Engine API client's own logic: version choice, the event stream splitter (on a stream captured from a
// real dockerd), socket error mapping and timeouts on real unix sockets, and id validation before any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DockerEngine,
  JsonObjectSplitter,
  chooseApiPrefix,
  dockerSocketError,
} from '../../../src/core/docker/engineApi';
import type { EngineVersion } from '../../../src/core/docker/engineApi';
import { DockerDescriber } from '../../../src/core/docker/describe';
import { MonitorError } from '../../../src/core/errors';

const FIXTURES = join(__dirname, '../fixtures/docker');

/** Opens a unix socket the way a local transport would, rejecting with the raw errno error. */
function opener(path: string, counter?: { n: number }): () => Promise<Socket> {
  return () =>
    new Promise((resolve, reject) => {
      if (counter) counter.n++;
      const s = createConnection(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
}

function rawError(path: string): Promise<Error> {
  return opener(path)().then(
    (s) => {
      s.destroy();
      throw new Error(`connected to ${path}`);
    },
    (e: Error) => e,
  );
}

describe('chooseApiPrefix', () => {
  it('pins /v1.41 on the daemon captured here (API 1.41, minimum 1.12)', () => {
    const v = JSON.parse(readFileSync(join(FIXTURES, 'version.json'), 'utf8')) as EngineVersion;
    expect(chooseApiPrefix(v)).toBe('/v1.41');
  });

  it('uses an older daemon own version, and a newer daemon minimum once 1.41 is retired', () => {
    expect(chooseApiPrefix({ ApiVersion: '1.40', MinAPIVersion: '1.12' })).toBe('/v1.40');
    expect(chooseApiPrefix({ ApiVersion: '1.50', MinAPIVersion: '1.24' })).toBe('/v1.41');
    expect(chooseApiPrefix({ ApiVersion: '1.52', MinAPIVersion: '1.44' })).toBe('/v1.44');
    expect(chooseApiPrefix({ ApiVersion: '1.52' })).toBe('/v1.41');
  });

  it('falls back to unversioned paths when the version is missing or not a version', () => {
    expect(chooseApiPrefix({ ApiVersion: '' })).toBe('');
    expect(chooseApiPrefix({ ApiVersion: '../../x' })).toBe('');
    expect(chooseApiPrefix({} as EngineVersion)).toBe('');
  });
});

describe('JsonObjectSplitter on a real /events stream', () => {
  const stream = readFileSync(join(FIXTURES, 'events-stream.json'), 'utf8');
  const lines = stream.split('\n').filter((l) => l.trim() !== '');

  it('finds the daemon lines whatever the chunk boundaries', () => {
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const size of [1, 3, 7, 64, 500, stream.length]) {
      const splitter = new JsonObjectSplitter();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...splitter.push(stream.slice(i, i + size)));
      expect(out).toEqual(lines);
    }
    const actions = lines.map((l) => (JSON.parse(l) as { Action: string }).Action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
  });

  it('keeps braces and escaped quotes inside strings, and objects not separated by newlines', () => {
    const a = JSON.stringify({ Action: 'exec_start: sh -c "echo }{"', Actor: { ID: 'x', Attributes: { q: '\\"}' } } });
    const splitter = new JsonObjectSplitter();
    const out = [...splitter.push(a.slice(0, 20)), ...splitter.push(a.slice(20) + a + ' \n' + a)];
    expect(out).toEqual([a, a, a]);
  });

  it('rejects a stream that is not JSON with a MonitorError', () => {
    expect(() => new JsonObjectSplitter().push('<html>502 Bad Gateway</html>')).toThrow(MonitorError);
  });
});

describe('socket failures', () => {
  let dir: string;
  let silent: Server;
  let closing: Server;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-engine-'));
    // A peer that accepts and never answers (a hung daemon), and one that hangs up at once.
    silent = createServer((s) => accepted.push(s));
    closing = createServer((s) => s.destroy());
    await new Promise<void>((r) => silent.listen(join(dir, 'silent.sock'), r));
    await new Promise<void>((r) => closing.listen(join(dir, 'closing.sock'), r));
    writeFileSync(join(dir, 'plain-file'), 'not a socket');
  });

  afterAll(async () => {
    for (const s of accepted) s.destroy();
    await new Promise((r) => silent.close(r));
    await new Promise((r) => closing.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps a missing socket to docker-unavailable with the path in one line', async () => {
    const path = join(dir, 'missing.sock');
    const err = dockerSocketError(await rawError(path), path);
    expect(err.code).toBe('docker-unavailable');
    expect(err.message).toBe(`no Docker socket at ${path} (is dockerd running?)`);
  });

  it('maps a file that is not a listening socket to docker-unavailable', async () => {
    const path = join(dir, 'plain-file');
    const err = dockerSocketError(await rawError(path), path);
    expect(err.code).toBe('docker-unavailable');
    expect(err.message).toContain(path);
    expect(err.message).not.toContain('\n');
  });

  it('maps EACCES to docker-denied with the docker group hint', () => {
    const e = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
    const err = dockerSocketError(e, '/var/run/docker.sock');
    expect(err.code).toBe('docker-denied');
    expect(err.message).toBe('permission denied on /var/run/docker.sock (add the user to the docker group)');
  });

  it('keeps the MonitorError a transport raised', () => {
    const mine = new MonitorError('cannot open /var/run/docker.sock on host: open failed', 'docker-denied');
    expect(dockerSocketError(mine, '/x')).toBe(mine);
  });

  it('times out on a peer that never answers', async () => {
    const path = join(dir, 'silent.sock');
    const engine = new DockerEngine(opener(path), path, { timeoutMs: 300 });
    const started = Date.now();
    const err = await engine.listContainers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('timeout');
    expect((err as MonitorError).message).toBe(`Docker API did not answer within 0.3 s (GET /version on ${path})`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a peer that hangs up as docker-unavailable', async () => {
    const path = join(dir, 'closing.sock');
    const err = await new DockerEngine(opener(path), path).version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('docker-unavailable');
  });

  it('describe() turns an unreachable daemon into a status, never a throw', async () => {
    const path = join(dir, 'missing.sock');
    const result = await new DockerDescriber(new DockerEngine(opener(path), path)).describe();
    expect(result).toEqual({
      status: {
        reachable: false,
        reason: `no Docker socket at ${path} (is dockerd running?)`,
        version: null,
        apiVersion: null,
        rootDir: null,
        socketPath: path,
      },
      containers: [],
    });
  });

  it('events() on a silent peer times out, and resolves at once when already aborted', async () => {
    const path = join(dir, 'silent.sock');
    const engine = new DockerEngine(opener(path), path, { timeoutMs: 200 });
    const err = await engine.events(() => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect((err as MonitorError).code).toBe('timeout');
    const counter = { n: 0 };
    const aborted = new DockerEngine(opener(path, counter), path);
    await expect(aborted.events(() => undefined, AbortSignal.abort())).resolves.toBeUndefined();
    expect(counter.n).toBe(0);
  });
});

describe('container references', () => {
  it('rejects unsafe ids with bad-argument before opening any socket', async () => {
    const counter = { n: 0 };
    const engine = new DockerEngine(opener('/nonexistent/docker.sock', counter));
    for (const bad of ['../x', '$(id)', 'a/b', '', 'x'.repeat(300), 'name?all=1', 'id%2F..']) {
      for (const call of [() => engine.inspect(bad), () => engine.top(bad)]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MonitorError);
        expect((err as MonitorError).code).toBe('bad-argument');
      }
    }
    expect(counter.n).toBe(0);
  });
});
