// TargetSession against the real dockerd and the real sshd of this machine: Local and SSH targets connect and
// collect what `docker ps` lists, Docker events refresh without any tick, the settings' identityFile and jump
// override ~/.ssh/config, and a connection killed on the server side comes back by itself.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/core/targets/settings/openTarget';
import { TargetSession } from '../../../src/core/targets/session';
import { localTarget, parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';
import type { TargetDefinition } from '../../../src/core/targets/settings/targetConfig';
import type { OpenOptions } from '../../../src/core/transport/target';
import type { Transport } from '../../../src/core/transport/types';
import type { Duplex } from 'node:stream';
import {
  SSHD_DIR,
  SSH_PORT,
  dockerReady,
  ownContainerIds,
  dockerSkipReason,
  makeSshHome,
  run,
  sshReady,
  sshSkipReason,
} from '../env';

const execFileAsync = promisify(execFile);
const sessions: TargetSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

/** Records the first line (the HTTP request) written on each Docker socket the target opens. */
function recordDocker(t: Transport, requests: string[]): Transport {
  const open = t.openUnixSocket.bind(t);
  t.openUnixSocket = async (path: string) => {
    const stream: Duplex = await open(path);
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    let first = true;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (first) requests.push(String(chunk).split('\r\n')[0]);
      first = false;
      return write(chunk, ...rest);
    }) as Duplex['write'];
    return stream;
  };
  return t;
}

function start(def: TargetDefinition, options: OpenOptions = {}, dockerRequests: string[] = []) {
  const log: string[] = [];
  const session = new TargetSession({
    label: def.name,
    open: async () => recordDocker(await openTarget(def, options), dockerRequests),
    onChange: () => undefined,
    log: (line) => log.push(line),
  });
  sessions.push(session);
  session.setActive(true);
  return { session, log };
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Full ids of the test containers (test-env.sh's label), as the docker CLI lists them: other containers on this machine are not ours to assert about. */
function dockerIds(): string[] {
  return ownContainerIds();
}

describe.skipIf(!dockerReady)(`Local target (${dockerSkipReason})`, () => {
  it('connects on the first tick and collects the containers docker ps -a lists', async () => {
    const { session, log } = start(localTarget());
    expect(session.state.status).toBe('idle');
    session.tick();
    const s = await waitFor('a snapshot', () => session.state.snapshot);
    expect(session.state.status).toBe('connected');
    expect(s.containers.map((c) => c.id)).toEqual(expect.arrayContaining(dockerIds()));
    expect(s.host.hostname).toBe(run('hostname', []));
    // The collector's own line: from where (the transport's label), what, and how long it took.
    expect(
      log.some((l) => /^local: \d+ containers, \d+ processes in \d+ ms/.test(l)),
      log.join('\n'),
    ).toBe(true);
  });

  it('refreshes on a container start and removal without any tick', async () => {
    const name = 'dm-session-events';
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    const requests: string[] = [];
    const { session, log } = start(localTarget(), {}, requests);
    session.tick();
    await waitFor('the Docker event stream', () => session.state.watchingEvents);
    // The stream is being opened (GET /version, then GET /events): give it a moment, and keep the event loop
    // free while docker runs (a synchronous exec would hold the stream back until the events were over).
    await new Promise((r) => setTimeout(r, 1000));
    const id = (
      await execFileAsync('docker', ['run', '-d', '--name', name, 'dm-busybox:test', 'sleep', '600'])
    ).stdout.trim();
    try {
      // The interval clock is never started here: only the event can bring the container in, within seconds.
      await waitFor(
        'the new container in a snapshot',
        () => session.state.snapshot?.containers.some((c) => c.id === id && c.state === 'running'),
        10_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; log:\n${log.join('\n')}`);
      });
      expect(log).toContain(`Local: Docker event: container ${name} start`);
    } finally {
      await execFileAsync('docker', ['rm', '-f', name]);
    }
    await waitFor(
      'the container gone from the snapshot',
      () => !session.state.snapshot?.containers.some((c) => c.id === id),
      10_000,
    );
    expect(log).toContain(`Local: Docker event: container ${name} destroy`);
    // One Docker event stream for the target (the collector's), and the list only at first use: the
    // event-driven refreshes inspected the new container and nothing else.
    expect(requests.filter((r) => r.includes('/events?'))).toHaveLength(1);
    expect(requests.filter((r) => r.includes('/containers/json?'))).toHaveLength(1);
    expect(requests.filter((r) => r.includes(`/containers/${id}/json`)).length).toBeGreaterThanOrEqual(1);
  });
});

describe.skipIf(!sshReady || !dockerReady)(`SSH target on 127.0.0.1:${SSH_PORT} (${sshSkipReason})`, () => {
  const key = `${SSHD_DIR}/client_ed25519`;

  it("connects with the entry's identityFile and sees this machine's containers", async () => {
    const { home } = makeSshHome();
    const def = parseTargetSetting({ name: 'int', host: '127.0.0.1', port: SSH_PORT, user: 'root', identityFile: key });
    const { session } = start(def, { home });
    session.tick();
    const s = await waitFor('a snapshot over SSH', () => session.state.snapshot, 30_000);
    expect(s.target).toBe(`root@127.0.0.1:${SSH_PORT}`);
    expect(s.host.hostname).toBe(run('hostname', []));
    expect(s.containers.map((c) => c.id)).toEqual(expect.arrayContaining(dockerIds()));
  });

  it("the entry's identityFile replaces the ssh config's: a missing key fails authentication and is not retried", async () => {
    const { home } = makeSshHome(); // its ~/.ssh/config gives alias dmtest a working key
    const def = parseTargetSetting({ name: 'badkey', host: 'dmtest', identityFile: '/nonexistent/key' });
    const { session } = start(def, { home });
    session.tick();
    await waitFor('the failure', () => session.state.status === 'error');
    expect(session.state.errorCode).toBe('auth-failed');
    expect(session.state.error).toContain('/nonexistent/key');
    expect(session.state.retryAt).toBeNull();
  });

  it("goes through the entry's jump host", async () => {
    const { home } = makeSshHome();
    const def = parseTargetSetting({
      name: 'jumped',
      host: '127.0.0.1',
      port: SSH_PORT,
      user: 'root',
      identityFile: key,
      jump: 'dmtest',
    });
    const log: string[] = [];
    const { session } = start(def, { home, log: (l) => log.push(l) });
    session.tick();
    await waitFor('a snapshot through the jump host', () => session.state.snapshot, 30_000);
    expect(log).toContain(`ssh: connecting to root@127.0.0.1:${SSH_PORT} via root@127.0.0.1:${SSH_PORT}`);
  });

  it('comes back by itself after sshd drops the connection', async () => {
    const { home } = makeSshHome();
    const def = parseTargetSetting({ host: 'dmtest' });
    const { session, log } = start(def, { home });
    session.tick();
    await waitFor('the first snapshot', () => session.state.status === 'connected', 30_000);
    const first = session.state.snapshot;

    // The sshd process on the other end of this process's own connection (matched by our client port).
    const conns = run('ss', [
      '-tnpH',
      'state',
      'established',
      `( sport = :${SSH_PORT} or dport = :${SSH_PORT} )`,
    ]).split('\n');
    const ours = conns
      .filter((l) => l.includes(`pid=${process.pid},`))
      .map((l) => l.trim().split(/\s+/)[2].split(':').pop());
    expect(ours.length).toBeGreaterThan(0);
    const serverPids = conns
      .filter((l) => ours.some((port) => l.trim().split(/\s+/)[3]?.endsWith(`:${port}`)) && l.includes('"sshd"'))
      .map((l) => Number(/pid=(\d+)/.exec(l)![1]));
    expect(serverPids.length).toBe(ours.length);
    for (const pid of serverPids) process.kill(pid, 'SIGKILL');

    await waitFor('the drop', () => session.state.status === 'reconnecting');
    expect(session.state.errorCode).toBe('unreachable');
    expect(session.state.snapshot).toBe(first); // still shown meanwhile
    await waitFor(
      'the reconnection',
      () => session.state.status === 'connected' && session.state.snapshot !== first,
      15_000,
    );
    expect(log).toContain('dmtest: trying again in 1 s');
  });
});
