// `monitor ... --watch` of the built CLI (node dist/cli.js) as a child process, against this machine's dockerd and the
// test sshd (scripts/test-env.sh; its port in the state file). Expected values come from docker ps / docker inspect, ss and the clock, never from the code
// under test.
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SHARED_FACTOR,
  SSH_PORT,
  TEST_LABEL,
  dockerReady,
  dockerSkipReason,
  inspect,
  makeSshHome,
  run,
  sshReady,
  sshSkipReason,
} from './env';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const TEST_CONTAINERS = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi'];
const hasScript = (() => {
  try {
    run('sh', ['-c', 'command -v script']);
    return true;
  } catch {
    return false;
  }
})();

interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** The first `n` complete stdout lines, once they are there. */
  lines(n: number): Promise<string[]>;
  done: Promise<Finished>;
}

function start(args: string[], env: Record<string, string> = {}): Running {
  const { DOCKER_MONITOR_DEBUG: _debug, SSH_AUTH_SOCK: _agent, ...base } = process.env;
  // stdin is not a TTY, so no prompt can wait; stdout is a pipe, so no redraw.
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    for (const l of listeners) l();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const done = new Promise<Finished>((resolveDone) =>
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolveDone({ status, signal, stdout, stderr });
    }),
  );
  const lines = (n: number) =>
    new Promise<string[]>((resolveLines, reject) => {
      const check = () => {
        const complete = stdout.split('\n').slice(0, -1);
        if (complete.length < n) return false;
        listeners.delete(check);
        resolveLines(complete.slice(0, n));
        return true;
      };
      if (check()) return;
      listeners.add(check);
      void done.then((r) => reject(new Error(`exited (${r.status}) before ${n} lines: ${r.stderr}`)));
    });
  return { child, lines, done };
}

/** Lines of stdout, each parsed; the output must end with a newline (no half-written line). */
function ndjson<T>(stdout: string): T[] {
  expect(stdout.endsWith('\n'), stdout.slice(-200)).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** stderr may hold warnings, and at most the lines matching `allowed`; never a stack. */
function expectCleanStderr(stderr: string, allowed?: RegExp): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  for (const line of stderr.split('\n').filter(Boolean)) {
    expect(line.startsWith('docker-monitor: warning: ') || (allowed !== undefined && allowed.test(line)), stderr).toBe(
      true,
    );
  }
}

/** Running test containers (test-env.sh's label; others on this machine are not ours) as docker ps lists them: full id -> name. */
function runningTestContainers(): Map<string, string> {
  const rows = run('docker', ['ps', '--no-trunc', '--filter', `label=${TEST_LABEL}`, '--format', '{{.ID}} {{.Names}}'])
    .split('\n')
    .filter(Boolean);
  return new Map(rows.map((r) => r.split(' ') as [string, string]));
}

interface SnapshotLine {
  target: string;
  collectedAt: string;
  durationMs: number;
  containers: { id: string; name: string; state: string; cpu: { percent: number | null } }[];
}

beforeAll(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
});

describe('--watch usage errors: status 2, one line, nothing on stdout', () => {
  it.each([
    [['monitor', 'gap', '--watch'], /--watch works with monitor host, all, container, process, not "gap"/],
    [['monitor', 'correlation', 'dm-limited', '--watch'], /not "correlation"/],
    [['monitor', 'all', '--watch', '--count', '0'], /invalid --count "0"/],
    [['monitor', 'all', '--watch', '--count', 'x'], /invalid --count "x"/],
    [['monitor', 'all', '--count', '3'], /--count needs --watch/],
    [['monitor', 'all', '--watch', '--interval', '0'], /invalid --interval "0"/],
    [['monitor', 'all', '--watch', '--interval', '3601'], /invalid --interval "3601"/],
  ])('%j', async (args, message) => {
    const r = await start(args).done;
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^docker-monitor: /);
    expect(lines[0]).toMatch(message);
  });
});

describe.skipIf(!dockerReady)(`--watch with the test containers (${dockerSkipReason})`, () => {
  it("monitor all --watch --json --count 3: three NDJSON snapshots of docker ps's containers, with rates from the first", async () => {
    const before = runningTestContainers();
    const started = Date.now();
    const r = await start(['monitor', 'all', '--watch', '--json', '--interval', '0.3', '--count', '3']).done;
    const elapsed = Date.now() - started;
    const after = runningTestContainers();

    expect(r.status, r.stderr).toBe(0);
    expectCleanStderr(r.stderr);
    const snaps = ndjson<SnapshotLine>(r.stdout);
    expect(snaps).toHaveLength(3);
    for (const name of TEST_CONTAINERS) expect(after.get(inspect(name).Id)).toBe(name);
    // Another suite may start or stop test containers meanwhile: those running throughout must be in every
    // snapshot, and the test containers running in a snapshot must be known to docker ps. With no such change, that
    // is equality. Containers without the test label (other projects on this machine) are not ours to assert about.
    const labelled = new Set(
      run('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=${TEST_LABEL}`])
        .split('\n')
        .filter(Boolean),
    );
    const throughout = [...before.keys()].filter((id) => after.has(id)).sort();
    const known = new Set([...before.keys(), ...after.keys()]);
    for (const s of snaps) {
      expect(s.target).toBe('local');
      const running = s.containers.filter((c) => c.state === 'running' && labelled.has(c.id)).map((c) => c.id);
      expect(running).toEqual(expect.arrayContaining(throughout));
      for (const id of running) expect(known.has(id), id).toBe(true);
      // dm-limited burns CPU: a rate, even in the first snapshot, needs the warm-up sample.
      expect(s.containers.find((c) => c.name === 'dm-limited')?.cpu.percent).toBeGreaterThan(0);
    }
    // The same object as the one-shot `monitor all --json` prints (the JSON contract), on one line.
    const oneShot = await start(['monitor', 'all', '--json', '--interval', '0.2']).done;
    expect(oneShot.status, oneShot.stderr).toBe(0);
    const contract = Object.keys(JSON.parse(oneShot.stdout));
    expect(contract).toEqual([
      'target',
      'collectedAt',
      'durationMs',
      'slowReadAt',
      'host',
      'docker',
      'containers',
      'processes',
      'warnings',
    ]);
    for (const s of snaps) expect(Object.keys(s)).toEqual(contract);
    const times = snaps.map((s) => Date.parse(s.collectedAt));
    for (let i = 1; i < times.length; i++) {
      expect(times[i]).toBeGreaterThan(times[i - 1]);
      // Ticks start 300 ms apart; a snapshot is stamped when its sample ends, which moves it by the durations' difference.
      const startToStart = times[i] - snaps[i].durationMs - (times[i - 1] - snaps[i - 1].durationMs);
      expect(startToStart).toBeGreaterThanOrEqual(250);
      expect(startToStart).toBeLessThan(2_000 * SHARED_FACTOR); // a sample here reads other projects' containers too
    }
    // The warm-up and three ticks, 0.3 s apart: about a second, not three ticks per interval or an endless run.
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it('monitor container dm-limited --watch --json --count 2: that container twice, as docker inspect knows it', async () => {
    const id = inspect('dm-limited').Id;
    const r = await start([
      'monitor',
      'container',
      'dm-limited',
      '--watch',
      '--json',
      '--count',
      '2',
      '--interval',
      '0.3',
    ]).done;
    expect(r.status, r.stderr).toBe(0);
    expectCleanStderr(r.stderr);
    const lines = ndjson<{ id: string; name: string; cpu: { percent: number | null } }>(r.stdout);
    expect(lines).toHaveLength(2);
    const oneShot = await start(['monitor', 'container', 'dm-limited', '--json', '--interval', '0.2']).done;
    expect(oneShot.status, oneShot.stderr).toBe(0);
    const contract = Object.keys(JSON.parse(oneShot.stdout));
    for (const c of lines) {
      expect(Object.keys(c)).toEqual(contract);
      expect(c.id).toBe(id);
      expect(c.name).toBe('dm-limited');
      expect(c.cpu.percent).toBeGreaterThan(0);
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s after the first snapshot ends the watch at once, status 0, no stack',
    async (signal) => {
      const w = start(['monitor', 'all', '--watch', '--json', '--interval', '0.3']);
      await w.lines(1);
      const sent = Date.now();
      w.child.kill(signal);
      const r = await w.done;
      expect(Date.now() - sent).toBeLessThan(3_000);
      expect(r.signal).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      expectCleanStderr(r.stderr);
      expect(ndjson<SnapshotLine>(r.stdout).length).toBeGreaterThanOrEqual(1);
    },
  );

  it('without --json on a pipe: each table then a blank line, no terminal escapes', async () => {
    const r = await start(['monitor', 'host', '--watch', '--count', '2', '--interval', '0.3']).done;
    expect(r.status, r.stderr).toBe(0);
    expectCleanStderr(r.stderr);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout.endsWith('\n\n')).toBe(true);
    const tables = r.stdout.split(/^(?=Target {2,}local$)/m);
    expect(tables).toHaveLength(2);
    for (const t of tables) {
      expect(t).toMatch(/^Hostname {2,}\S/m);
      expect(t.endsWith('\n\n')).toBe(true);
    }
  });

  it.skipIf(!hasScript)('on a terminal: the table redrawn in place each tick', () => {
    // util-linux `script` gives the CLI a pseudo-terminal of 30 rows.
    const command = `stty rows 30 cols 100; exec '${process.execPath}' '${CLI}' monitor host --watch --count 2 --interval 0.3`;
    const screen = execFileSync('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const frames = screen.split('\x1b[H').slice(1);
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      expect(frame).toMatch(/Hostname {2,}\S+\x1b\[K\r?\n/);
      expect(frame.endsWith('\x1b[J')).toBe(true);
      expect(frame.split('\n').length - 1).toBeLessThanOrEqual(29);
    }
  });

  describe('a watched container or process that goes away', () => {
    const name = 'dm-watch-gone';
    afterAll(() => {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    });

    it('container removed: status 1 and one line naming it', async () => {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      const id = run('docker', ['run', '-d', '--name', name, 'dm-busybox:test', 'sleep', '100000']);
      const w = start(['monitor', 'container', name, '--watch', '--json', '--interval', '0.3']);
      const [first] = await w.lines(1);
      expect(JSON.parse(first).id).toBe(id);
      run('docker', ['rm', '-f', name]);
      const r = await w.done;
      expect(r.status).toBe(1);
      expectCleanStderr(
        r.stderr,
        new RegExp(`^docker-monitor: container "${name}" \\(${id.slice(0, 12)}\\) is gone from local$`),
      );
      expect(r.stderr).toMatch(/is gone from local/);
      for (const c of ndjson<{ id: string }>(r.stdout)) expect(c.id).toBe(id);
    });

    it('process exited: status 1 and one line naming it', async () => {
      const sleeper = spawn('sleep', ['100'], { stdio: 'ignore' });
      try {
        const w = start(['monitor', 'process', String(sleeper.pid), '--watch', '--json', '--interval', '0.3']);
        const [first] = await w.lines(1);
        expect(JSON.parse(first).pid).toBe(sleeper.pid);
        sleeper.kill('SIGKILL');
        const r = await w.done;
        expect(r.status).toBe(1);
        expectCleanStderr(
          r.stderr,
          new RegExp(`^docker-monitor: process ${sleeper.pid} \\("sleep"\\) is gone from local$`),
        );
        expect(r.stderr).toMatch(/is gone from local/);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });
  });
});

describe.skipIf(!sshReady)(`--watch over SSH (${sshSkipReason})`, () => {
  let home = '';
  beforeAll(() => {
    home = makeSshHome().home;
  });
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Local ports of the established TCP connections to the sshd that process `pid` owns, as ss sees them now. */
  async function sshConnections(pid: number): Promise<string[]> {
    const { stdout } = await promisify(execFile)('ss', ['-Htnp', 'state', 'established', `( dport = :${SSH_PORT} )`]);
    return stdout
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`))
      .map((l) => l.trim().split(/\s+/)[2].replace(/^.*:/, ''));
  }

  it('--watch --json --count 4 uses one connection for every snapshot', async () => {
    const w = start(
      ['monitor', 'all', '--watch', '--json', '--count', '4', '--interval', '0.3', '--target', 'dmtest'],
      { HOME: home },
    );
    const ports = new Set<string>();
    let polls = 0;
    let finished = false;
    void w.done.then(() => (finished = true));
    // A connection per tick would show up as a new local port in some 50 ms poll.
    while (!finished) {
      const seen = await sshConnections(w.child.pid!);
      expect(seen.length).toBeLessThanOrEqual(1);
      for (const p of seen) ports.add(p);
      if (seen.length > 0) polls++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await w.done;
    expect(r.status, r.stderr).toBe(0);
    expectCleanStderr(r.stderr);
    const snaps = ndjson<SnapshotLine>(r.stdout);
    expect(snaps).toHaveLength(4);
    for (const s of snaps) expect(s.target).toBe('dmtest');
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(ports.size).toBe(1);
    if (dockerReady) {
      const limited = inspect('dm-limited').Id;
      for (const s of snaps) expect(s.containers.find((c) => c.id === limited)?.cpu.percent).toBeGreaterThan(0);
    }
  });

  it('a dropped connection ends the watch with status 1 and one line: nothing reconnects', async (ctx) => {
    const w = start(['monitor', 'host', '--watch', '--json', '--interval', '0.3', '--target', 'dmtest'], {
      HOME: home,
    });
    await w.lines(1);
    const [port] = await sshConnections(w.child.pid!);
    // ss -K destroys the socket (kernels with INET_DIAG_DESTROY): the connection drops without killing any process.
    try {
      run('ss', ['-K', 'state', 'established', `( sport = :${port} and dport = :${SSH_PORT} )`]);
    } catch {
      // ss may still have killed it; what follows tells.
    }
    if ((await sshConnections(w.child.pid!)).length > 0) {
      w.child.kill('SIGKILL');
      ctx.skip('ss -K cannot destroy sockets on this kernel');
    }
    const r = await w.done;
    expect(r.status).toBe(1);
    expectCleanStderr(r.stderr, /^docker-monitor: connection to dmtest (was )?closed/);
    expect(r.stderr).toMatch(/connection to dmtest/);
  });
});
