// `npm run bench -- --soak [--minutes M] [--containers N]`: the extension's engine under load for a while, to
// show that nothing grows but the history buffer. Two target sessions (this machine and the test sshd over SSH),
// each refreshed every 0.5 s as the extension's poller would, with the default view's demand and one Metrics
// history per container and the host (the extension's capacity). Counted at the start (after a warm-up) and at
// the end: heap after GC, active handles by type, our open fds, SSH channels, and the processes under an sshd of
// the soak's own (the session and its reader on the target; other suites' connections cannot count).
import { readdirSync } from 'node:fs';
import { ROW_DEMAND } from '../../src/core/collect/demand';
import type { Snapshot } from '../../src/core/model';
import { HISTORY_CAPACITY, SeriesHistory } from '../../src/core/panels/history';
import { TargetSession } from '../../src/core/targets/session';
import { LocalTransport } from '../../src/core/transport/local';
import type { SshTransport } from '../../src/core/transport/ssh';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import type { Transport } from '../../src/core/transport/types';
import { descendants, makeSshHome, startOwnSshd } from '../../test/integration/env';

const FIELDS = ['cpu', 'memory', 'rx', 'tx'] as const;

export interface SoakCounts {
  heapUsedMB: number;
  handles: Record<string, number>;
  openFds: number;
  sshChannels: number | null;
  processesUnderSshd: number | null;
}

export interface SoakReport {
  minutes: number;
  intervalMs: number;
  containers: number;
  processes: number;
  refreshes: Record<string, number>;
  errors: Record<string, number>;
  historyPoints: number;
  /** Heap after GC, MB, every half minute from the start of the measured part. */
  heapTimelineMB: number[];
  start: SoakCounts;
  end: SoakCounts;
  /** Processes still under the soak's sshd a second after both sessions closed: 0, or something leaked. */
  processesUnderSshdAfterClose: number | null;
}

function counts(ssh: SshTransport | null, sshdPid: number | null): SoakCounts {
  (globalThis as { gc?: () => void }).gc?.();
  const handles: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) handles[r] = (handles[r] ?? 0) + 1;
  return {
    heapUsedMB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
    handles,
    openFds: readdirSync('/proc/self/fd').length,
    sshChannels: ssh ? ssh.openChannels : null,
    processesUnderSshd: sshdPid ? descendants(sshdPid).length : null,
  };
}

/** An sshd of the soak's own (the test sshd's config and keys, another port) and an ssh home that reaches it as `dmtest`. */
async function ownTarget(): Promise<{ home: string; pid: number; stop: () => void }> {
  const sshd = await startOwnSshd((c) => c);
  return { home: makeSshHome(sshd.port).home, pid: sshd.pid, stop: sshd.stop };
}

export async function soak(options: {
  minutes: number;
  intervalMs: number;
  withSsh: boolean;
  containers: number;
  processes: number;
}): Promise<SoakReport | null> {
  const refreshes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const histories = new Map<string, SeriesHistory<(typeof FIELDS)[number]>>();
  let ssh: SshTransport | null = null;
  const record = (label: string, s: Snapshot): void => {
    refreshes[label] = (refreshes[label] ?? 0) + 1;
    const t = Date.parse(s.collectedAt);
    const rows: Array<[string, { cpu: number | null; memory: number | null; rx: number | null; tx: number | null }]> = [
      [`${label}/host`, { cpu: s.host.cpuPercent?.busy ?? null, memory: s.host.memory.usedBytes, rx: null, tx: null }],
      ...s.containers.map(
        (c) =>
          [
            `${label}/${c.id}`,
            {
              cpu: c.cpu.percent,
              memory: c.memory.usageBytes,
              rx: c.network.rxBytesPerSec,
              tx: c.network.txBytesPerSec,
            },
          ] as [string, { cpu: number | null; memory: number | null; rx: number | null; tx: number | null }],
      ),
    ];
    for (const [key, values] of rows) {
      let h = histories.get(key);
      if (!h) histories.set(key, (h = new SeriesHistory(FIELDS, HISTORY_CAPACITY)));
      h.push(t, values);
    }
  };
  const session = (label: string, open: () => Promise<Transport>): TargetSession => {
    let last: Snapshot | null = null;
    const s: TargetSession = new TargetSession({
      label,
      open,
      demand: () => ROW_DEMAND,
      refreshTimeoutMs: () => 15_000,
      log: (line, level) => {
        if (level === 'warn') errors[label] = (errors[label] ?? 0) + 1;
        if (level === 'warn' && process.env.DOCKER_MONITOR_DEBUG) console.error(line);
      },
      onChange: () => {
        const snap = s.state.snapshot;
        if (snap && snap !== last) {
          last = snap;
          record(label, snap);
        }
      },
    });
    s.setActive(true);
    return s;
  };
  const sessions = [session('local', async () => new LocalTransport())];
  const target = options.withSsh ? await ownTarget() : null;
  if (target) {
    const home = target.home;
    sessions.push(
      session('ssh', async () => {
        ssh = (await openTransport(parseTarget('dmtest'), { home })) as SshTransport;
        return ssh;
      }),
    );
  }
  const timer = setInterval(() => {
    for (const s of sessions) s.tick();
  }, options.intervalMs);
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let report: SoakReport | null = null;
  try {
    await wait(30_000); // warm-up: connections open, caches and histories filling
    const start = counts(ssh, target?.pid ?? null);
    const heapTimelineMB = [start.heapUsedMB];
    const halves = Math.round(options.minutes * 2);
    for (let i = 0; i < halves; i++) {
      await wait(30_000);
      heapTimelineMB.push(counts(ssh, target?.pid ?? null).heapUsedMB);
      console.log(`soak: ${(i + 1) / 2} min, heap ${heapTimelineMB.at(-1)} MB, refreshes ${JSON.stringify(refreshes)}`);
    }
    const end = counts(ssh, target?.pid ?? null);
    report = {
      minutes: options.minutes,
      intervalMs: options.intervalMs,
      containers: options.containers,
      processes: options.processes,
      refreshes,
      errors,
      historyPoints: [...histories.values()].reduce((n, h) => n + h.length, 0),
      heapTimelineMB,
      start,
      end,
      processesUnderSshdAfterClose: null,
    };
  } finally {
    clearInterval(timer);
    await Promise.all(sessions.map((s) => s.close()));
    if (target) {
      // After the sessions closed, nothing of ours may stay on the target.
      await wait(1000);
      if (report) report.processesUnderSshdAfterClose = descendants(target.pid).length;
      target.stop();
    }
  }
  return report;
}
