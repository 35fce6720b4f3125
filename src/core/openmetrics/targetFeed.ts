// One target of `serve`: a TargetSession (the extension's connection life cycle: reconnect with backoff, refresh
// deadlines, the Docker event stream) refreshed on its own timer, with its gap findings and alert engine kept up
// to date. A scrape reads `served()` and never triggers a collection.
import { AlertEngine } from '../alerts/engine';
import type { AlertSettings } from '../alerts/types';
import { analyzeGaps } from '../analyze/gaps';
import type { Demand } from '../collect/demand';
import type { Finding } from '../model';
import { refreshDeadlineMs } from '../targets/refreshInterval';
import { TargetSession } from '../targets/session';
import type { SnapshotSource } from '../targets/sessionTypes';
import type { Transport } from '../transport/types';
import { CostCounter, CostedSource } from './costedSource';
import type { ServedTarget } from './dmFamilies';

export interface TargetFeedOptions {
  /** The `target` label. */
  name: string;
  open: () => Promise<Transport>;
  createSource: (transport: Transport, log: (line: string) => void) => SnapshotSource;
  intervalMs: number;
  /** Per-process series wanted: every process's stat is read; otherwise only each container's main process. */
  processes: boolean;
  alerts: AlertSettings;
  log: (line: string, level?: 'info' | 'warn') => void;
}

export class TargetFeed {
  private readonly session: TargetSession;
  private readonly engine: AlertEngine;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastCollected: string | null = null;
  private findings: Finding[] = [];
  private refreshes = 0;
  private readonly cost = new CostCounter();

  constructor(private readonly options: TargetFeedOptions) {
    // cAdvisor's series need every cgroup counter (block I/O, swap, failcnt); a process's stat only when asked.
    const demand: Demand = { processes: options.processes ? 'all' : [], containerDetail: true };
    this.engine = new AlertEngine({ targetId: options.name, targetName: options.name, settings: options.alerts });
    this.session = new TargetSession({
      label: options.name,
      open: options.open,
      createSource: (transport, log) => new CostedSource(transport, options.createSource(transport, log), this.cost),
      demand: () => demand,
      onChange: () => this.changed(),
      log: options.log,
      refreshTimeoutMs: () => refreshDeadlineMs(options.intervalMs),
      onDockerEvent: (event) => this.engine.onEvent(event, Date.now()),
    });
  }

  start(): void {
    // A scraper looks all the time: the session stays active (events followed, never closed as idle) until stop().
    this.session.setActive(true);
    void this.session.refresh();
    this.timer = setInterval(() => this.session.tick(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.session.close();
  }

  /** What a scrape shows: the newest refresh while the target is up, its health either way. */
  served(): ServedTarget {
    const s = this.session.state;
    const up = s.error === null && s.snapshot !== null;
    return {
      name: this.options.name,
      snapshot: up ? s.snapshot : null,
      up,
      reason: up ? null : (s.error ?? (s.status === 'connecting' ? 'connecting' : 'no refresh yet')),
      findings: up ? this.findings : [],
      alerts: this.engine.active(),
      refreshes: this.refreshes,
      cpuSeconds: this.cost.total(),
    };
  }

  private changed(): void {
    const s = this.session.state;
    if (s.snapshot && s.error === null && s.snapshot.collectedAt !== this.lastCollected) {
      this.lastCollected = s.snapshot.collectedAt;
      this.refreshes++;
      this.findings = analyzeGaps(s.snapshot);
      this.engine.onSnapshot(s.snapshot);
    } else if (s.status === 'error' || s.status === 'reconnecting') {
      this.engine.onTargetStatus(false, s.error, Date.now());
    }
  }
}
