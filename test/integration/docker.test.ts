// The Engine API client and the describer against the real dockerd on this machine, checked against the
// docker CLI, /proc and the files dockerd keeps on disk. Run `bash scripts/test-env.sh` first.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { Client } from 'ssh2';
import type { Duplex } from 'node:stream';
import { DockerEngine } from '../../src/core/docker/engineApi';
import type { EngineEvent } from '../../src/core/docker/engineApi';
import { DockerDescriber } from '../../src/core/docker/describe';
import type { DockerContainerMeta } from '../../src/core/docker/describe';
import { MonitorError } from '../../src/core/errors';
import { OTHER_CONTAINERS, SSHD_DIR, SSH_PORT, TEST_LABEL, sshReady, sshSkipReason } from './env';

const SOCKET = '/var/run/docker.sock';
const TEST_CONTAINERS = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi', 'dm-stopped'];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const SSH_KEY = join(SSHD_DIR, 'client_ed25519');
const dockerReady = spawnSync('docker', ['inspect', ...TEST_CONTAINERS], { stdio: 'ignore' }).status === 0;
const SKIP =
  'skipped: needs dockerd on /var/run/docker.sock and the dm-* containers (run `bash scripts/test-env.sh` as root)';

/**
 * The tiny local opener the brief asks for (the LocalTransport is written elsewhere). It counts streams and
 * records each request line as it is written to the socket.
 */
function opener(path = SOCKET) {
  const counter = { n: 0 };
  const requests: string[] = [];
  const open = () =>
    new Promise<Socket>((res, rej) => {
      counter.n++;
      const s = createConnection(path);
      const write = s.write.bind(s) as (...args: unknown[]) => boolean;
      let first = true;
      s.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (first) requests.push(String(chunk).split('\r\n')[0]);
        first = false;
        return write(chunk, ...rest);
      }) as Socket['write'];
      s.once('connect', () => res(s));
      s.once('error', rej);
    });
  return { open, counter, requests };
}

interface CliInspect {
  Id: string;
  HostConfig: { Memory: number; NanoCpus: number; PidsLimit: number | null };
}

function dockerInspect(name: string): CliInspect {
  return (JSON.parse(sh('docker', ['inspect', name])) as CliInspect[])[0];
}

/**
 * `docker ps -a` ids, states and status texts of the test containers (test-env.sh's label): what must stay put for
 * a comparison to be fair. Other containers on this machine are not ours to assert about (nor to wait for).
 */
function psState(): string {
  return sh('docker', [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=${TEST_LABEL}`,
    '--format',
    '{{.ID}} {{.State}} {{.Status}} {{.Names}}',
  ]);
}

/**
 * Runs `fn` between two `docker ps -a` readings and retries when they differ: other test suites start and
 * remove containers on this machine, and a comparison is only meaningful while nothing moved.
 */
async function whileStable<T>(fn: () => Promise<T>): Promise<{ value: T; ps: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = psState();
    const value = await fn();
    if (psState() === before) return { value, ps: before };
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('containers kept changing during 10 attempts');
}

function byName(metas: DockerContainerMeta[], name: string): DockerContainerMeta {
  const m = metas.find((c) => c.name === name);
  if (!m) throw new Error(`${name} not described`);
  return m;
}

describe.skipIf(!dockerReady)(
  `Docker Engine API client on the real dockerd (${dockerReady ? 'dockerd up' : SKIP})`,
  () => {
    it('negotiates once, unversioned, then uses the /v1.41 prefix; version as the docker CLI reports it', async () => {
      const { open, requests } = opener();
      const engine = new DockerEngine(open);
      const v = await engine.version();
      expect(v.Version).toBe(sh('docker', ['version', '--format', '{{.Server.Version}}']));
      expect(v.ApiVersion).toBe(sh('docker', ['version', '--format', '{{.Server.APIVersion}}']));
      const info = await engine.info();
      expect(info.DockerRootDir).toBe(sh('docker', ['info', '--format', '{{.DockerRootDir}}']));
      await engine.version();
      await engine.listContainers();
      // This daemon serves 1.41 (`docker version` above); a daemon that did not would get its own version.
      expect(requests).toEqual([
        'GET /version HTTP/1.1',
        'GET /v1.41/info HTTP/1.1',
        'GET /v1.41/containers/json?all=1 HTTP/1.1',
      ]);
    });

    it('listContainers: the ids and names `docker ps -a` shows', async () => {
      const engine = new DockerEngine(opener().open);
      const { value: list, ps } = await whileStable(() => engine.listContainers());
      const ids = ps
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]);
      expect(list.map((c) => c.Id)).toEqual(expect.arrayContaining(ids));
      for (const line of ps.split('\n').filter(Boolean)) {
        const id = line.split(' ')[0];
        const name = line.split(' ').at(-1);
        expect(list.find((c) => c.Id === id)?.Names?.[0]).toBe(`/${name}`);
      }
      expect(ids).toEqual(expect.arrayContaining(TEST_CONTAINERS.map((n) => dockerInspect(n).Id)));
    });

    it('describe(): limits, PID, network and paths of the test containers, against docker inspect and /proc', async () => {
      const describer = new DockerDescriber(new DockerEngine(opener().open));
      const { status, containers } = await describer.describe();
      describer.close();
      expect(status.reachable).toBe(true);
      expect(status.reason).toBeNull();
      expect(status.socketPath).toBe(SOCKET);
      expect(status.rootDir).toBe(sh('docker', ['info', '--format', '{{.DockerRootDir}}']));

      const limited = byName(containers, 'dm-limited');
      const hc = dockerInspect('dm-limited').HostConfig;
      // As created by test-env.sh: --memory 64m --cpus 0.5 --pids-limit 50.
      expect(limited.limits.memoryBytes).toBe(67108864);
      expect(limited.limits.memoryBytes).toBe(hc.Memory);
      expect(limited.limits.pidsLimit).toBe(50);
      expect(limited.limits.pidsLimit).toBe(hc.PidsLimit);
      expect(limited.limits.nanoCpus).toBe(5e8);
      expect(limited.limits.nanoCpus).toBe(hc.NanoCpus);
      expect(limited.compose).toEqual({ project: 'dmtest', service: 'limited' });

      // The init PID: docker inspect agrees, and /proc says that process lives in the container's cgroup.
      const pid = limited.initPid!;
      expect(pid).toBe(Number(sh('docker', ['inspect', '-f', '{{.State.Pid}}', 'dm-limited'])));
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(limited.id);
      // Paths: the container folder exists with dockerd's config in it; the merged dir is the process's root.
      expect(existsSync(join(limited.containerDir!, 'config.v2.json'))).toBe(true);
      expect(limited.mergedDir).toBe(sh('docker', ['inspect', '-f', '{{.GraphDriver.Data.MergedDir}}', 'dm-limited']));
      expect(readFileSync(join(limited.mergedDir!, 'www/index.html'), 'utf8')).toBe(
        readFileSync(`/proc/${pid}/root/www/index.html`, 'utf8'),
      );
      expect(limited.ipAddress).toBe(
        sh('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'dm-limited']),
      );

      const hostnet = byName(containers, 'dm-hostnet');
      expect(hostnet.networkMode).toBe('host');
      expect(hostnet.networkMode).toBe(sh('docker', ['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'dm-hostnet']));
      expect(hostnet.ipAddress).toBeNull();

      const stopped = byName(containers, 'dm-stopped');
      expect(stopped.state).toBe(sh('docker', ['inspect', '-f', '{{.State.Status}}', 'dm-stopped']));
      expect(stopped.initPid).toBeNull();
      expect(stopped.limits.memoryBytes).toBeNull();
      expect(stopped.containerDir).toBe(join(status.rootDir!, 'containers', stopped.id));
    });

    it('top(): the host PIDs `docker top` lists', async () => {
      const engine = new DockerEngine(opener().open);
      const top = await engine.top('dm-multi');
      const col = top.Titles.indexOf('PID');
      expect(col).toBeGreaterThanOrEqual(0);
      const mine = top.Processes.map((p) => Number(p[col])).sort((a, b) => a - b);
      const cli = sh('docker', ['top', 'dm-multi', '-o', 'pid'])
        .split('\n')
        .slice(1)
        .map(Number)
        .sort((a, b) => a - b);
      expect(mine).toEqual(cli);
      expect(mine.length).toBeGreaterThanOrEqual(3);
    });

    it('without the event stream, a second describe() with nothing changed asks only for the list (no inspect)', async () => {
      // The fallback while the stream is down; with it, see dockerEvents.test.ts (no request at all).
      const { value, ps } = await whileStable(async () => {
        const { open, counter, requests } = opener();
        const describer = new DockerDescriber(new DockerEngine(open), { followEvents: false });
        const first = await describer.describe();
        const n1 = counter.n;
        counter.n = 0;
        const before = requests.length;
        const second = await describer.describe();
        return { n1, n2: counter.n, secondRequests: requests.slice(before), first, second };
      });
      const own = ps
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]);
      expect(own.length, `containers labelled ${TEST_LABEL}`).toBe(TEST_CONTAINERS.length);
      expect(value.first.containers.map((c) => c.id)).toEqual(expect.arrayContaining(own));
      const listed = value.first.containers.length;
      // First: /version, /info, /containers/json, then one inspect per container.
      expect(value.n1).toBe(3 + listed);
      // Second: /containers/json, and no inspect of a test container (unchanged: whileStable). Another project's
      // container here may have changed (a fresh one's "Up 5 seconds" ticks): an inspect of it is due, so allowed.
      expect(value.secondRequests[0]).toBe('GET /v1.41/containers/json?all=1 HTTP/1.1');
      expect(value.secondRequests.filter((r) => own.some((id) => r.includes(id)))).toEqual([]);
      expect(value.secondRequests.slice(1).every((r) => /^GET \/v1\.41\/containers\/[0-9a-f]{64}\/json /.test(r))).toBe(
        true,
      );
      if (OTHER_CONTAINERS === 0) expect(value.n2).toBe(1);
      const mine = (d: typeof value.first) => d.containers.filter((c) => own.includes(c.id));
      expect(mine(value.second)).toEqual(mine(value.first));
    });

    it('without the event stream: re-inspects a container whose state changed, and drops one removed between list and inspect', async () => {
      const name = `dm-describe-${process.pid}`;
      const id = sh('docker', ['create', '--name', name, 'dm-busybox:test', 'sleep', '30']);
      try {
        const { open, counter } = opener();
        const engine = new DockerEngine(open);
        const describer = new DockerDescriber(engine, { followEvents: false });
        expect(byName((await describer.describe()).containers, name).initPid).toBeNull();
        sh('docker', ['start', name]);
        counter.n = 0;
        const after = byName((await describer.describe()).containers, name);
        expect(after.state).toBe('running');
        expect(after.initPid).toBe(Number(sh('docker', ['inspect', '-f', '{{.State.Pid}}', name])));
        expect(counter.n).toBeGreaterThanOrEqual(2);

        // The race, made certain: the container goes away after the list was read.
        const racing = new DockerEngine(open);
        const list = racing.listContainers.bind(racing);
        racing.listContainers = async () => {
          const l = await list();
          sh('docker', ['rm', '-f', name]);
          return l;
        };
        const raced = await new DockerDescriber(racing, { followEvents: false }).describe();
        expect(raced.status.reachable).toBe(true);
        expect(raced.containers.find((c) => c.id === id)).toBeUndefined();
        expect(raced.containers.map((c) => c.name)).toEqual(expect.arrayContaining(TEST_CONTAINERS));
      } finally {
        spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      }
    });

    it('inspect of a container that does not exist: not-found, one clear line', async () => {
      const engine = new DockerEngine(opener().open);
      const err = await engine.inspect('dm-no-such-container').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MonitorError);
      expect((err as MonitorError).code).toBe('not-found');
      expect((err as MonitorError).message).toBe('no such container: dm-no-such-container');
    });

    it('an invalid id is refused with bad-argument before any request', async () => {
      const { open, counter } = opener();
      const engine = new DockerEngine(open);
      for (const bad of ['../x', '$(id)', 'dm-limited/../../version']) {
        const err = await engine.inspect(bad).catch((e: unknown) => e);
        expect((err as MonitorError).code).toBe('bad-argument');
        expect(((await engine.top(bad).catch((e: unknown) => e)) as MonitorError).code).toBe('bad-argument');
      }
      expect(counter.n).toBe(0);
    });

    it('a missing socket path: reachable false with a clear reason, no throw', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dm-nosock-'));
      try {
        const path = join(dir, 'docker.sock');
        const r = await new DockerDescriber(new DockerEngine(opener(path).open, path)).describe();
        expect(r.containers).toEqual([]);
        expect(r.status.reachable).toBe(false);
        expect(r.status.socketPath).toBe(path);
        expect(r.status.reason).toBe(`no Docker socket at ${path} (is dockerd running?)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.skipIf(process.getuid?.() !== 0)(
      'a user outside the docker group: reachable false, permission denied',
      async () => {
        // Run the real code as `nobody` (not in the socket's group): bundle a small script and start it with that uid.
        const dir = mkdtempSync(join(tmpdir(), 'dm-denied-'));
        try {
          const src = resolve(__dirname, '../../src/core');
          const out = await build({
            stdin: {
              contents: `
            import { createConnection } from 'node:net';
            import { DockerEngine } from ${JSON.stringify(join(src, 'docker/engineApi'))};
            import { DockerDescriber } from ${JSON.stringify(join(src, 'docker/describe'))};
            const open = () => new Promise((res, rej) => {
              const s = createConnection(${JSON.stringify(SOCKET)});
              s.once('connect', () => res(s)); s.once('error', rej);
            });
            new DockerDescriber(new DockerEngine(open)).describe().then((r) => process.stdout.write(JSON.stringify(r)));`,
              resolveDir: src,
              loader: 'ts',
            },
            bundle: true,
            platform: 'node',
            format: 'cjs',
            write: false,
            logLevel: 'silent',
          });
          const script = join(dir, 'describe.cjs');
          writeFileSync(script, out.outputFiles[0].text);
          chmodSync(dir, 0o755);
          chmodSync(script, 0o644);
          const nobody = Number(sh('id', ['-u', 'nobody']));
          // Independent check that nobody really cannot open it, so the test is meaningful.
          expect(spawnSync('sh', ['-c', `test -w ${SOCKET}`], { uid: nobody, gid: nobody }).status).not.toBe(0);
          const res = spawnSync(process.execPath, [script], { uid: nobody, gid: nobody, encoding: 'utf8', cwd: dir });
          expect(res.stderr).toBe('');
          const r = JSON.parse(res.stdout);
          expect(r.status.reachable).toBe(false);
          expect(r.status.reason).toBe(`permission denied on ${SOCKET} (add the user to the docker group)`);
          expect(r.containers).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    describe('events()', () => {
      const started: string[] = [];
      afterAll(() => {
        for (const id of started) spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      });

      it('sees a container start and die, and ends when aborted', async () => {
        const engine = new DockerEngine(opener().open);
        const seen: EngineEvent[] = [];
        const stop = new AbortController();
        let waiter: (() => void) | null = null;
        const streaming = engine.events((e) => {
          seen.push(e);
          waiter?.();
        }, stop.signal);
        const waitFor = async (pred: (e: EngineEvent) => boolean, what: string) => {
          const deadline = Date.now() + 15_000;
          while (!seen.some(pred)) {
            if (Date.now() > deadline) throw new Error(`no ${what} event; saw ${seen.map((e) => e.Action).join(', ')}`);
            await new Promise<void>((r) => {
              waiter = r;
              setTimeout(r, 250);
            });
          }
        };
        // The subscription must be live before the container starts: give the request time to reach dockerd.
        await new Promise((r) => setTimeout(r, 500));
        const id = sh('docker', ['run', '-d', '--rm', 'dm-busybox:test', 'sleep', '5']);
        started.push(id);
        await waitFor((e) => e.Action === 'start' && e.Actor.ID === id, 'start');
        sh('docker', ['kill', id]);
        await waitFor((e) => e.Action === 'die' && e.Actor.ID === id, 'die');
        const start = seen.find((e) => e.Action === 'start' && e.Actor.ID === id)!;
        expect(start.Type).toBe('container');
        expect(start.Actor.Attributes?.image).toBe('dm-busybox:test');
        // Only container events were asked for.
        expect(seen.every((e) => e.Type === 'container')).toBe(true);
        stop.abort();
        await expect(streaming).resolves.toBeUndefined();
      });
    });
  },
);

describe.skipIf(!dockerReady || !sshReady)(
  `Docker Engine API over an SSH-forwarded socket (${!dockerReady ? SKIP : sshSkipReason})`,
  () => {
    const client = new Client();
    afterAll(() => client.end());

    it('describes the same containers through an ssh2 channel as `docker ps -a` lists', async () => {
      await new Promise<void>((res, rej) => {
        client.once('ready', () => res()).once('error', rej);
        client.connect({ host: '127.0.0.1', port: SSH_PORT, username: 'root', privateKey: readFileSync(SSH_KEY) });
      });
      let opened = 0;
      const open = () =>
        new Promise<Duplex>((res, rej) => {
          opened++;
          client.openssh_forwardOutStreamLocal(SOCKET, (err, channel) => (err ? rej(err) : res(channel)));
        });
      const describer = new DockerDescriber(new DockerEngine(open), { followEvents: false });
      const { value, ps } = await whileStable(() => describer.describe());
      expect(value.status.reachable).toBe(true);
      const ids = ps
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]);
      expect(ids.length, `containers labelled ${TEST_LABEL}`).toBe(TEST_CONTAINERS.length);
      expect(value.containers.map((c) => c.id)).toEqual(expect.arrayContaining(ids));
      expect(byName(value.containers, 'dm-limited').limits.memoryBytes).toBe(
        dockerInspect('dm-limited').HostConfig.Memory,
      );
      expect(opened).toBeGreaterThanOrEqual(3 + ids.length);
    });
  },
);
