// `watch --alerts --json` of the built CLI (node dist/cli.js) against this machine's dockerd: an OOM kill, a restart
// loop and CPU throttling, each made here in a dm-al-* container (label docker-monitor-test=1, removed after).
// Expected values come from docker inspect, `docker events` read separately, the cgroup's own files and the clock,
// never from the code under test. Run `bash scripts/test-env.sh` first.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_FACTOR, TEST_LABEL, dockerReady, dockerSkipReason } from './env';
import { OOM_RUN_ARGS } from '../shared/oomContainer.mjs';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const PREFIX = `dm-al-${process.pid}`;
const made: string[] = [];

interface AlertLine {
  type: 'start' | 'end';
  key: string;
  rule: string;
  subject: { kind: string; id: string; name: string };
  startedAt: string;
  endedAt: string | null;
  message: string;
  evidence: Record<string, number | string | null>;
  /** When the line reached us (ms, our clock): not part of the output. */
  seenAt: number;
}

interface Watching {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the first line matching `pred` (waiting up to `ms`). */
  line(pred: (a: AlertLine) => boolean, ms: number): Promise<AlertLine>;
  all(): AlertLine[];
  stop(): Promise<number | null>;
}

/** Starts the CLI; resolves once its first refresh is done (the debug log's collection line), events followed. */
async function watchAlerts(args: string[]): Promise<Watching> {
  const { SSH_AUTH_SOCK: _agent, ...base } = process.env;
  const child = spawn(process.execPath, [CLI, 'watch', '--alerts', '--json', ...args], {
    cwd: ROOT,
    env: { ...base, DOCKER_MONITOR_DEBUG: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: AlertLine[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    const now = Date.now();
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const p of parts) lines.push({ ...(JSON.parse(p) as AlertLine), seenAt: now });
    for (const l of listeners) l();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    for (const l of listeners) l();
  });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const waitFor = <T>(check: () => T | undefined, ms: number, what: string) =>
    new Promise<T>((res, rej) => {
      const timer = setTimeout(() => {
        listeners.delete(run);
        rej(
          new Error(`no ${what} within ${ms} ms; stdout lines ${JSON.stringify(lines)}; stderr ${stderr.slice(-2000)}`),
        );
      }, ms);
      const run = () => {
        const found = check();
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(run);
        res(found);
      };
      listeners.add(run);
      run();
    });
  await waitFor(
    () => (/debug: local: \d+ containers/.test(stderr) ? true : undefined),
    30_000 * SHARED_FACTOR,
    'first refresh',
  );
  return {
    child,
    line: (pred, ms) => waitFor(() => lines.find(pred), ms * SHARED_FACTOR, 'matching alert line'),
    all: () => lines,
    stop: () => {
      child.kill('SIGINT');
      return closed;
    },
  };
}

async function docker(...args: string[]): Promise<string> {
  return (await execFileAsync('docker', args)).stdout.trim();
}

async function runContainer(suffix: string, args: string[]): Promise<{ name: string; id: string }> {
  const name = `${PREFIX}-${suffix}`;
  made.push(name);
  const id = await docker('run', '-d', '--name', name, '--label', TEST_LABEL, ...args);
  return { name, id };
}

/** The container's events of one action, as `docker events` reports them (its own read of the daemon's log). */
function eventsOf(id: string, action: string, since: number): { time: number; timeNano: number }[] {
  const out = execFileSync(
    'docker',
    [
      'events',
      '--since',
      String(Math.floor(since / 1000) - 1),
      '--until',
      String(Math.ceil(Date.now() / 1000) + 1),
      '--filter',
      `container=${id}`,
      '--filter',
      `event=${action}`,
      '--format',
      '{{json .}}',
    ],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { time: number; timeNano: number });
}

const iso = (timeNano: number) => new Date(timeNano / 1e6).toISOString();

beforeAll(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
});

/** Each test's containers go at its end: a loop left running would alert in the next test's watch. */
function removeMade(): void {
  for (const name of made.splice(0)) spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
}

afterAll(removeMade);

describe.skipIf(!dockerReady)(`watch --alerts --json on the real daemon (${dockerSkipReason})`, () => {
  it('a container allocating past its limit: the OOM alert within 2 s of the kill, and docker inspect agrees', async () => {
    const w = await watchAlerts(['--interval', '1']);
    try {
      const since = Date.now();
      const c = await runContainer('oom', OOM_RUN_ARGS);
      const alert = await w.line((a) => a.rule === 'oom-killed' && a.subject.id === c.id, 15_000);
      const [oom] = eventsOf(c.id, 'oom', since);
      expect(oom, 'docker events reports an oom').toBeDefined();
      expect(alert).toMatchObject({
        type: 'start',
        subject: { kind: 'container', name: c.name },
        startedAt: iso(oom.timeNano),
      });
      expect(alert.endedAt).toBe(alert.startedAt);
      expect(alert.seenAt - oom.timeNano / 1e6).toBeLessThan(2000 * SHARED_FACTOR);
      expect(await docker('inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', c.id)).toBe('true 137');
      // Its 137 is the OOM kill's, not a second alert.
      await new Promise((r) => setTimeout(r, 2500));
      expect(
        w
          .all()
          .filter((a) => a.subject.id === c.id)
          .map((a) => a.rule),
      ).toEqual(['oom-killed']);
    } finally {
      expect(await w.stop()).toBe(0);
      removeMade();
    }
  }, 60_000);

  it('a child OOM-killed in a container that lives on: the event and the cgroup counter are one alert', async () => {
    const w = await watchAlerts(['--interval', '1']);
    try {
      const c = await runContainer('oomchild', [
        '--memory',
        '16m',
        '--memory-swap',
        '16m',
        'dm-busybox:test',
        'sh',
        '-c',
        'tail /dev/zero; exec sleep 3600',
      ]);
      await w.line((a) => a.rule === 'oom-killed' && a.subject.id === c.id, 15_000);
      const control = await docker('exec', c.id, 'cat', '/sys/fs/cgroup/memory/memory.oom_control');
      expect(control).toMatch(/^oom_kill 1$/m);
      // Three refreshes after, each reading the risen counter: still one alert.
      await new Promise((r) => setTimeout(r, 3500));
      expect(w.all().filter((a) => a.subject.id === c.id && a.rule === 'oom-killed')).toHaveLength(1);
      expect(await docker('inspect', '-f', '{{.State.Running}}', c.id)).toBe('true');
    } finally {
      expect(await w.stop()).toBe(0);
      removeMade();
    }
  }, 60_000);

  it('a --restart always container exiting 1: the restart-loop alert at its third restart', async () => {
    const w = await watchAlerts(['--interval', '1']);
    try {
      const since = Date.now();
      const c = await runContainer('loop', ['--restart', 'always', 'dm-busybox:test', 'sh', '-c', 'sleep 1; exit 1']);
      const alert = await w.line((a) => a.rule === 'restart-loop' && a.subject.id === c.id, 40_000);
      const starts = eventsOf(c.id, 'start', since);
      expect(starts.length).toBeGreaterThanOrEqual(4);
      // The first start is the run; the fourth is the third restart.
      expect(alert.startedAt).toBe(iso(starts[3].timeNano));
      expect(alert.evidence).toMatchObject({ restarts: 3, threshold: 3 });
      expect(Number(await docker('inspect', '-f', '{{.RestartCount}}', c.id))).toBeGreaterThanOrEqual(3);
      const exits = w.all().filter((a) => a.subject.id === c.id && a.rule === 'exited-nonzero');
      expect(exits.length).toBeGreaterThanOrEqual(1);
      expect(exits.every((a) => a.evidence.exitCode === 1)).toBe(true);
    } finally {
      expect(await w.stop()).toBe(0);
      removeMade();
    }
  }, 90_000);

  it('a busy loop at --cpus 0.2: the throttling alert after its window, and its end when the loop is killed', async () => {
    const window = 3;
    const w = await watchAlerts(['--interval', '1', '--alert-window', String(window)]);
    try {
      const c = await runContainer('cpu', [
        '--cpus',
        '0.2',
        'dm-busybox:test',
        'sh',
        '-c',
        'sh -c "echo \\$\\$ > /tmp/loop.pid; while :; do :; done" & exec sleep 3600',
      ]);
      const start = await w.line(
        (a) => a.rule === 'cpu-throttled' && a.type === 'start' && a.subject.id === c.id,
        30_000,
      );
      // Not before the window: started at the first refresh that saw it, printed once it had held for the window.
      expect(start.seenAt - Date.parse(start.startedAt)).toBeGreaterThanOrEqual(window * 1000);
      expect(Number(await docker('inspect', '-f', '{{.HostConfig.NanoCpus}}', c.id)) / 1e9).toBe(
        start.evidence.limitCpus,
      );
      const stat = () =>
        Object.fromEntries(
          readFileSync(`/sys/fs/cgroup/cpu/docker/${c.id}/cpu.stat`, 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(' ')),
        ) as Record<string, string>;
      const a = stat();
      await new Promise((r) => setTimeout(r, 1000));
      const b = stat();
      const share = (Number(b.nr_throttled) - Number(a.nr_throttled)) / (Number(b.nr_periods) - Number(a.nr_periods));
      expect(share, 'the kernel counts most periods throttled').toBeGreaterThan(0.25);

      const killedAt = Date.now();
      await docker('exec', c.id, 'sh', '-c', 'kill $(cat /tmp/loop.pid)');
      const end = await w.line((x) => x.rule === 'cpu-throttled' && x.type === 'end' && x.subject.id === c.id, 15_000);
      expect(end.key).toBe(start.key);
      expect(Date.parse(end.endedAt!)).toBeGreaterThanOrEqual(killedAt);
      expect(await docker('inspect', '-f', '{{.State.Running}}', c.id)).toBe('true');
    } finally {
      expect(await w.stop()).toBe(0);
      removeMade();
    }
  }, 90_000);

  it('--exit-on-alert: status 3 at the first alert', async () => {
    const w = await watchAlerts([
      '--interval',
      '1',
      '--exit-on-alert',
      '--alert-off',
      'cpu-throttled',
      '--alert-off',
      'memory-near-limit',
    ]);
    try {
      const c = await runContainer('exit', ['dm-busybox:test', 'sh', '-c', 'sleep 1; exit 5']);
      const code = await new Promise<number | null>((r) => w.child.on('close', (status) => r(status)));
      expect(code).toBe(3);
      expect(await docker('inspect', '-f', '{{.State.ExitCode}}', c.id)).toBe('5');
      expect(w.all().find((a) => a.subject.id === c.id)).toMatchObject({
        rule: 'exited-nonzero',
        evidence: { exitCode: 5 },
      });
    } finally {
      removeMade();
    }
  }, 60_000);
});

describe('watch --alerts usage errors: status 2, one line', () => {
  it.each([
    [['watch'], /watch needs --alerts/],
    [['watch', '--alerts', '--alert-window', '-1'], /invalid --alert-window "-1": seconds/],
    [['watch', '--alerts', '--alert-window', '1e3'], /invalid --alert-window "1e3"/],
    [
      ['watch', '--alerts', '--alert-window', '90000'],
      /invalid --alert-window: windowSeconds: a number from 0 to 86400/,
    ],
    [
      ['watch', '--alerts', '--alert-threshold', 'cpu-throttled=200'],
      /invalid --alert-threshold: rules.cpu-throttled.threshold/,
    ],
    [['watch', '--alerts', '--alert-threshold', 'oom-killed=1'], /oom-killed has no threshold/],
    [['watch', '--alerts', '--alert-off', 'nope'], /invalid --alert-off "nope"/],
    [['monitor', 'host', '--alerts'], /go with "watch --alerts"/],
    [['watch', '--alerts', '--interval', '0'], /invalid --interval "0"/],
  ])('%j', (args, message) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
