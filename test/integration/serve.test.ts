// `docker-monitor serve` (node dist/cli.js) scraped by a real Prometheus (Debian's package, started here on a port of
// this suite's own, scraping every second): the local target, the test SSH target (alias dmtest) and one more SSH
// target on an sshd of this suite's own that it stops and starts again. What Prometheus stored is read through its
// HTTP API and checked against docker inspect, docker stats and iproute2, never against the code under test.
// Run `bash scripts/test-env.sh` first (it installs Prometheus).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SSHD_DIR,
  SSH_PORT,
  TEST_LABEL,
  descendants,
  dockerReady,
  dockerSkipReason,
  freeLoopbackPort,
  makeSshHome,
  run,
  sshReady,
} from './env';
import { OwnSshd } from './ownSshd';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const prometheusReady = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
const skipReason = !dockerReady
  ? dockerSkipReason
  : !sshReady
    ? 'needs the test sshd: run `bash scripts/test-env.sh` as root'
    : !prometheusReady
      ? 'needs Debian package prometheus (bash scripts/test-env.sh installs it)'
      : null;

const HOSTILE = `dm-om-${process.pid}`;
/** Quotes, backslashes, a newline and braces: what could end a label value or start a series if not escaped. */
const HOSTILE_PROJECT = 'q"uo\\te\n{x}="y"} 1\nfake_metric 1';
const HOSTILE_SERVICE = 'svc\\{}"';

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

let servePort = 0;
let promPort = 0;
let serveProc: ChildProcessByStdio<null, Readable, Readable> | null = null;
let promProc: ChildProcessByStdio<null, Readable, Readable> | null = null;
let serveLog = '';
let promLog = '';
const dirs: string[] = [];
const own = new OwnSshd();

async function query(expr: string): Promise<Series[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Series[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
  return body.data.result;
}

/** The one series `expr` selects, once Prometheus has it. */
function one(expr: string, ms = 30_000): Promise<Series> {
  return until(
    expr,
    async () => {
      const r = await query(expr);
      return r.length === 1 ? r[0] : null;
    },
    ms,
  );
}

function scrape(accept?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${servePort}/metrics`, accept ? { headers: { Accept: accept } } : {});
}

const docker = (...args: string[]) => run('docker', args);

describe.skipIf(skipReason !== null)(
  `serve scraped by Prometheus${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      docker(
        'run',
        '-d',
        '--name',
        HOSTILE,
        '--label',
        TEST_LABEL,
        '--label',
        `com.docker.compose.project=${HOSTILE_PROJECT}`,
        '--label',
        `com.docker.compose.service=${HOSTILE_SERVICE}`,
        'dm-busybox:test',
        'sleep',
        '3600',
      );
      await own.start();
      const { home, knownHosts } = makeSshHome(SSH_PORT);
      dirs.push(home);
      const hostKey = readFileSync(`${SSHD_DIR}/host_ed25519.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      appendFileSync(knownHosts, `[127.0.0.1]:${own.port} ${hostKey}\n`);
      const targetsFile = join(home, 'targets.json');
      writeFileSync(
        targetsFile,
        JSON.stringify([
          {
            name: 'own-sshd',
            host: '127.0.0.1',
            port: own.port,
            user: 'root',
            identityFile: `${SSHD_DIR}/client_ed25519`,
          },
        ]),
      );

      servePort = await freeLoopbackPort();
      const { SSH_AUTH_SOCK: _agent, ...env } = process.env;
      serveProc = spawn(
        process.execPath,
        [
          CLI,
          'serve',
          '--listen',
          `127.0.0.1:${servePort}`,
          '--target',
          'local',
          '--target',
          'dmtest',
          '--targets-file',
          targetsFile,
          '--interval',
          '1',
          '--processes',
          '20',
        ],
        { cwd: ROOT, env: { ...env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      serveProc.stderr.on('data', (d: Buffer) => (serveLog += d.toString('utf8')));
      await until('serve listening', async () => (serveLog.includes('serving http') ? true : null), 20_000);

      promPort = await freeLoopbackPort();
      const promDir = mkdtempSync(join(tmpdir(), 'dm-prometheus-'));
      dirs.push(promDir);
      writeFileSync(
        join(promDir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: docker-monitor',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${servePort}']`,
          '',
        ].join('\n'),
      );
      promProc = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(promDir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(promDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      promProc.stderr.on('data', (d: Buffer) => (promLog += d.toString('utf8')));
      await until(
        'Prometheus ready',
        async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : null),
        30_000,
      );
      try {
        for (const t of ['local', 'dmtest', 'own-sshd']) await one(`dm_target_up{target="${t}"} == 1`, 60_000);
      } catch (e) {
        throw new Error(
          `${String(e)}\nserve said:\n${serveLog.slice(-3000)}\nPrometheus said:\n${promLog.slice(-3000)}`,
        );
      }
    }, 150_000);

    afterAll(async () => {
      serveProc?.kill('SIGTERM');
      promProc?.kill('SIGTERM');
      own.stop();
      try {
        docker('rm', '-f', HOSTILE);
      } catch {
        // not there
      }
      await new Promise((r) => setTimeout(r, 500));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('Prometheus scrapes it as OpenMetrics, and promtool checks the Prometheus text format', async () => {
      const target = await until(
        'the scrape target in Prometheus',
        async () => {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`);
          const body = (await res.json()) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
          const t = body.data.activeTargets[0];
          return t?.health === 'up' ? t : null;
        },
        20_000,
      );
      expect(target.lastError).toBe('');
      const om = await scrape('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5');
      expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
      expect((await om.text()).endsWith('# EOF\n')).toBe(true);
      const plain = await scrape();
      expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await plain.text();
      const lint = execFileSyncAll(PROMTOOL, ['check', 'metrics'], text);
      // The text parses (a parse error is status 1 with "error while linting"). The one lint promtool has left is
      // node_exporter's own CamelCase names (node_memory_MemAvailable_bytes, ...), which dashboards depend on: the
      // same findings promtool reports on node_exporter itself.
      expect(lint.output).not.toMatch(/error while linting/);
      const findings = lint.output.split('\n').filter(Boolean);
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings)
        expect(f).toMatch(
          /^node_memory_[A-Za-z]+_bytes metric names should be written in 'snake_case' not 'camelCase'$/,
        );
    });

    it("container_spec_memory_limit_bytes of dm-limited is docker inspect's limit, on the local and the SSH target", async () => {
      const limit = Number(docker('inspect', '-f', '{{.HostConfig.Memory}}', 'dm-limited'));
      expect(limit).toBeGreaterThan(0);
      for (const target of ['local', 'dmtest']) {
        const s = await one(`container_spec_memory_limit_bytes{name="dm-limited",target="${target}"}`);
        expect(Number(s.value[1])).toBe(limit);
        expect(s.metric.image).toBe(docker('inspect', '-f', '{{.Config.Image}}', 'dm-limited'));
      }
    });

    it("dm_container_info's host_veth is the interface iproute2 shows as the peer of the container's eth0", async () => {
      const iflink = Number(docker('exec', 'dm-limited', 'cat', '/sys/class/net/eth0/iflink'));
      const line = run('ip', ['-o', 'link', 'show'])
        .split('\n')
        .find((l) => l.startsWith(`${iflink}: `));
      const veth = /^\d+: ([^:@]+)/.exec(line ?? '')?.[1];
      expect(veth).toMatch(/^veth/);
      const s = await one(`dm_container_info{name="dm-limited",target="local"}`);
      expect(s.metric.host_veth).toBe(veth);
      expect(s.metric.main_host_pid).toBe(docker('inspect', '-f', '{{.State.Pid}}', 'dm-limited'));
    });

    it("dm_target_cpu_seconds_total of an SSH target is its remote reader's CPU time, read from its /proc/PID/stat here", async () => {
      // Only serve connects to this suite's own sshd: the perl (or python3) process under it is serve's reader.
      const reader = await until(
        'the remote reader under the own sshd',
        async () => descendants(own.pid).find((p) => p.comm === 'perl' || p.comm === 'python3') ?? null,
        20_000,
      );
      const cpu = () => {
        const f = readFileSync(`/proc/${reader.pid}/stat`, 'utf8');
        const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
        return (Number(v[11]) + Number(v[12]) + Number(v[13]) + Number(v[14])) / 100;
      };
      // Prometheus holds a scrape's value, from the refresh before it: it catches up with what /proc said before
      // (a refresh or two later: how much CPU that is depends on how many containers this machine runs), and it
      // never says more than /proc says after.
      const before = cpu();
      const caught = await one(`dm_target_cpu_seconds_total{target="own-sshd"} >= ${before - 0.01}`, 30_000);
      const after = cpu();
      const metric = Number(caught.value[1]);
      expect(metric).toBeGreaterThan(0);
      expect(metric).toBeLessThanOrEqual(after + 0.01);
      // Locally the reader is serve itself: that is process_cpu_seconds_total, not a target's cost.
      expect(await query('dm_target_cpu_seconds_total{target="local"}')).toEqual([]);
    });

    it('hostile compose labels come out escaped: Prometheus parses them back to the exact text, and add no series', async () => {
      const s = await one(`dm_container_info{name="${HOSTILE}",target="local"}`);
      expect(s.metric.compose_project).toBe(HOSTILE_PROJECT);
      expect(s.metric.compose_service).toBe(HOSTILE_SERVICE);
      expect(await query('fake_metric')).toEqual([]);
      const text = await (await scrape()).text();
      const lines = text.split('\n').filter((l) => l.includes(HOSTILE));
      // Each of the container's series is one line, whatever its labels hold.
      for (const l of lines) expect(l).toMatch(/^[a-z_]+\{.*\} [0-9.e+-]+$/);
      expect(lines.some((l) => l.includes('compose_project="q\\"uo\\\\te\\n{x}=\\"y\\"} 1\\nfake_metric 1"'))).toBe(
        true,
      );
    });

    it('an SSH target that stops answering shows dm_target_up 0 with its reason while the others keep going; 1 again when it is back', async () => {
      own.kill();
      const down = await one(`dm_target_up{target="own-sshd"} == 0`, 60_000);
      expect(down.metric.reason).toBeTruthy();
      const before = Number((await one(`dm_last_refresh_timestamp_seconds{target="local"}`)).value[1]);
      await new Promise((r) => setTimeout(r, 3000));
      expect((await one(`dm_target_up{target="local"}`)).value[1]).toBe('1');
      expect((await one(`dm_target_up{target="dmtest"}`)).value[1]).toBe('1');
      const after = Number((await one(`dm_last_refresh_timestamp_seconds{target="local"}`)).value[1]);
      expect(after).toBeGreaterThan(before);
      await own.start();
      // The session retries with a backoff of at most 30 s.
      await one(`dm_target_up{target="own-sshd"} == 1`, 60_000);
    }, 150_000);

    it("rate(container_cpu_usage_seconds_total) of a busy container agrees with docker stats' CPU % over the same 30 s", async () => {
      // dm-limited spins under --cpus 0.5; on a shared machine its share varies, so both are averaged over one window:
      // docker stats streams a reading a second, the rate spans the 30 s that end when the stream stops.
      const readings: number[] = [];
      const stats = spawn('docker', ['stats', '--format', '{{.CPUPerc}}', 'dm-limited'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      stats.stdout.on('data', (d: Buffer) => {
        for (const m of d.toString('utf8').matchAll(/([0-9.]+)%/g)) readings.push(Number(m[1]));
      });
      await new Promise((r) => setTimeout(r, 30_000));
      stats.kill();
      // The first reading of a stream compares with nothing before it.
      const average = readings.slice(1).reduce((a, b) => a + b, 0) / (readings.length - 1);
      expect(readings.length).toBeGreaterThan(15);
      const rate = Number(
        (await one('rate(container_cpu_usage_seconds_total{name="dm-limited",target="local"}[30s])')).value[1],
      );
      expect(Math.abs(rate * 100 - average)).toBeLessThan(5);
    }, 90_000);

    it('dies with a usage error, never a stack trace, on bad options', () => {
      for (const [args, message] of [
        [['--listen', '0.0.0.0:9464'], /reachable from other machines: add --allow-remote/],
        [['--listen', '0.0.0.0:9464', '--allow-remote'], /--allow-remote needs --bearer-token-file/],
        [['--interval', '0'], /invalid --interval "0"/],
        [['--target', '-oProxyCommand=x'], /invalid target/],
        [['--processes', '5000'], /invalid --processes "5000"/],
        [['--tls-cert', '/x'], /--tls-cert and --tls-key go together/],
      ] as const) {
        const r = execFileSyncAll(process.execPath, [CLI, 'serve', ...args], '');
        expect(r.status).toBe(2);
        expect(r.output).toMatch(message);
        expect(r.output).not.toMatch(/\n\s+at /);
      }
    });
  },
);

function execFileSyncAll(cmd: string, args: string[], input: string): { status: number; output: string } {
  try {
    const out = execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    return { status: 0, output: out };
  } catch (e) {
    const err = e as { status: number | null; stdout?: string; stderr?: string };
    return { status: err.status ?? -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
