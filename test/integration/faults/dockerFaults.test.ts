// Docker going away and coming back while the monitor runs, against the real dockerd (issue 9 §3). The shared
// dockerd is never stopped (other suites use it): the monitor is pointed at a unix socket of this suite's own that
// relays to /var/run/docker.sock, and that relay is closed (its socket file removed, its connections cut) and
// opened again. Expected values come from the docker CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import { Collector } from '../../../src/core/collect/collector';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import { TargetSession } from '../../../src/core/targets/session';
import { openTarget } from '../../../src/core/targets/settings/openTarget';
import { localTarget } from '../../../src/core/targets/settings/targetConfig';
import type { Snapshot } from '../../../src/core/model';
import { dockerReady, dockerSkipReason, run } from '../env';

/** A relay from a socket path of ours to the real Docker socket, that can be closed and opened again. */
class DockerRelay {
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();
  constructor(readonly path: string) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const daemon = createConnection('/var/run/docker.sock');
      for (const s of [client, daemon]) this.conns.add(s);
      const end = () => {
        for (const s of [client, daemon]) {
          s.destroy();
          this.conns.delete(s);
        }
      };
      for (const s of [client, daemon]) {
        s.on('error', end);
        s.on('close', end);
      }
      client.pipe(daemon);
      daemon.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  /** As dockerd stopping: the socket file goes, open connections (the event stream) are cut. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.conns) s.destroy();
    this.conns.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}

/** Running dm-* containers as docker ps lists them: full id -> name. */
function runningDm(): Map<string, string> {
  const rows = run('docker', ['ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}']).split('\n').filter(Boolean);
  return new Map(rows.map((r) => r.split(' ') as [string, string]).filter(([, name]) => name.startsWith('dm-')));
}

const dir = mkdtempSync(join(tmpdir(), 'dm-docker-relay-'));
const relays: DockerRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!dockerReady)(`Docker unreachable mid-watch, then back (${dockerSkipReason})`, () => {
  const expected = dockerReady ? runningDm() : new Map<string, string>();

  it('monitor all --watch: host and processes keep updating, containers come from cgroups, then names return without a restart', async () => {
    const relay = new DockerRelay(join(dir, 'cli.sock'));
    relays.push(relay);
    await relay.open();
    const snapshots: Snapshot[] = [];
    const stderr: string[] = [];
    let pending = '';
    let phase: 'up' | 'down' | 'back' = 'up';
    let downSince = 0;
    const switches: Promise<void>[] = [];
    const status = await runCli(
      ['monitor', 'all', '--watch', '--json', '--interval', '0.5', '--count', '14', '--docker-socket', relay.path],
      {
        stdout: (text) => {
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) {
            const s = JSON.parse(line) as Snapshot;
            snapshots.push(s);
            if (phase === 'up' && snapshots.length === 2) {
              phase = 'down';
              switches.push(relay.close());
            } else if (phase === 'down' && !s.docker.reachable && ++downSince === 4) {
              phase = 'back';
              switches.push(relay.open());
            }
          }
        },
        stderr: (text) => stderr.push(text),
        stdinIsTty: false,
        askHidden: async () => undefined,
        askLine: async () => undefined,
        env: {},
      },
    );
    await Promise.all(switches);
    expect(stderr.join('')).toBe('');
    expect(status).toBe(0);
    expect(snapshots).toHaveLength(14);

    const up = snapshots.slice(0, 2);
    const down = snapshots.filter((s) => !s.docker.reachable);
    const lastDown = snapshots.map((s) => s.docker.reachable).lastIndexOf(false);
    const back = snapshots.slice(lastDown + 1);
    expect(down.length).toBeGreaterThanOrEqual(4);
    expect(back.length).toBeGreaterThanOrEqual(2);
    // Every snapshot is a new reading of the host and its processes, Docker or not.
    expect(new Set(snapshots.map((s) => s.collectedAt)).size).toBe(14);
    for (const s of snapshots) {
      expect(s.host.hostname).toBe(run('hostname', []));
      expect(s.processes.length).toBeGreaterThan(0);
    }
    for (const s of [...up, ...back]) {
      expect(s.docker.reachable).toBe(true);
      const names = new Map(s.containers.map((c) => [c.id, c.name]));
      for (const [id, name] of expected) expect(names.get(id)).toBe(name);
    }
    for (const s of down) {
      // Why, where, and what is still known: the running containers, found from their cgroups, without names.
      expect(s.docker.socketPath).toBe(relay.path);
      expect(s.docker.reason).toContain(relay.path);
      expect(s.warnings.some((w) => w.startsWith('Docker API unreachable'))).toBe(true);
      const ids = new Set(s.containers.map((c) => c.id));
      for (const id of expected.keys()) expect(ids.has(id)).toBe(true);
      // No names from cgroups: the short id stands in.
      for (const c of s.containers) expect(c.name).toBe(c.id.slice(0, 12));
      expect(s.host.cpuPercent).not.toBeNull();
      expect(s.host.containerCounts.running).toBe(s.containers.length);
    }
  });

  it('a target session: the tree says Docker is unreachable while the socket is gone, and shows the names again after', async () => {
    const relay = new DockerRelay(join(dir, 'session.sock'));
    relays.push(relay);
    await relay.open();
    const def = localTarget();
    const session = new TargetSession({
      label: def.name,
      open: () => openTarget(def),
      createSource: (t, log) => new Collector(t, { log, socketPath: relay.path }),
      onChange: () => undefined,
      log: () => undefined,
    });
    session.setActive(true);
    const tree = () => {
      const s = session.state;
      return buildTargetTree({
        config: def,
        summary: {
          id: def.id,
          label: def.name,
          status: 'connected',
          error: s.error,
          collectedAt: s.snapshot?.collectedAt ?? null,
          durationMs: null,
        },
        snapshot: s.snapshot,
        errorCode: s.errorCode,
      });
    };
    const dockerRow = () => tree().nodes.get('message:local:docker') ?? null;
    const named = () => {
      const names = new Map(session.state.snapshot?.containers.map((c) => [c.id, c.name]) ?? []);
      return [...expected].every(([id, name]) => names.get(id) === name);
    };

    await session.refresh();
    expect(session.state.snapshot?.docker.reachable).toBe(true);
    expect(named()).toBe(true);
    expect(dockerRow()).toBeNull();

    await relay.close();
    // The event stream's end is noticed as it arrives: at the latest, the refresh after that says so.
    for (let i = 0; i < 3 && session.state.snapshot?.docker.reachable; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await session.refresh();
    }
    expect(session.state.status).toBe('connected'); // the target is fine; Docker is not
    expect(session.state.error).toBeNull();
    expect(session.state.snapshot?.docker.reachable).toBe(false);
    expect(dockerRow()?.label).toMatch(new RegExp(`^Docker API unreachable: .*${relay.path.replace(/[.]/g, '\\.')}`));
    expect(named()).toBe(false);

    await relay.open();
    await session.refresh();
    expect(session.state.snapshot?.docker.reachable).toBe(true);
    expect(named()).toBe(true);
    expect(dockerRow()).toBeNull();
    await session.close();
  });
});
