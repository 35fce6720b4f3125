// The MonitorService: one TargetSession per configured target, polled while a view or panel holds a
// visibility lease and the user has not paused. Each target collects on its own: a slow SSH target never
// delays Local, and no target ever runs two collections at once.
import * as vscode from 'vscode';
import type { TargetSummary } from '../shared/protocol';
import { MonitorError } from '../core/errors';
import type { Transport } from '../core/transport/types';
import type { EngineEvent } from '../core/docker/engineApi';
import { CONTEXT_NO_READABLE_TARGET, CONTEXT_NO_TARGETS, CONTEXT_PAUSED } from '../core/present/commandIds';
import { openTarget } from '../core/targets/settings/openTarget';
import { FULL_DEMAND, mergeDemands } from '../core/collect/demand';
import type { Demand } from '../core/collect/demand';
import { Poller } from '../core/targets/poller';
import { refreshDeadlineMs, refreshIntervalMs } from '../core/targets/refreshInterval';
import { TargetSession } from '../core/targets/session';
import type { SnapshotSource } from '../core/targets/sessionTypes';
import { Collector } from '../core/collect/collector';
import { ThreadedCollector } from '../core/collect/threadedCollector';
import { sameTarget, targetAddress } from '../core/targets/settings/targetConfig';
import type { TargetDefinition } from '../core/targets/settings/targetConfig';
import type { MonitorService, TargetState } from './serviceApi';
import type { Log } from './log';
import { SECTION, readTargets } from './targets';
import type { SshPrompts } from './sshPrompts';

interface Entry {
  config: TargetDefinition;
  session: TargetSession;
  /** The error already shown in a dialog, so that a state change does not show it again. */
  announced: string | null;
}

export class MonitorServiceImpl implements MonitorService {
  private readonly entries = new Map<string, Entry>();
  private order: string[] = [];
  private readonly changed = new vscode.EventEmitter<TargetState>();
  readonly onDidChange = this.changed.event;
  private readonly targetsChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeTargets = this.targetsChanged.event;
  private readonly dockerEvent = new vscode.EventEmitter<{ targetId: string; event: EngineEvent }>();
  readonly onDidDockerEvent = this.dockerEvent.event;
  private alertSource: (targetId: string) => TargetState['alerts'] = () => undefined;
  private readonly poller: Poller;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly contextValues = new Map<string, boolean>();
  /** Per visibility lease: what its holder shows. */
  private readonly demands = new Map<symbol, (targetId: string) => Demand>();
  private problems = '';
  private disposed = false;
  private closing: Promise<void> = Promise.resolve();

  /** `collectorThreadFile`: dist/collectorThread.js, on which Local collects off the extension host's thread. */
  constructor(
    private readonly prompts: SshPrompts,
    private readonly log: Log,
    private readonly collectorThreadFile: string,
  ) {
    this.poller = new Poller({
      intervalMs: refreshIntervalMs(vscode.workspace.getConfiguration(SECTION).get<unknown>('refreshInterval')),
      onTick: () => {
        for (const e of this.entries.values()) e.session.tick();
      },
      onActiveChange: (active) => {
        this.log.info(
          active
            ? `refreshing every ${this.poller.interval / 1000} s (shown by ${this.poller.holders().join(', ')})`
            : this.poller.paused
              ? 'refresh paused'
              : 'nothing shows the data: refresh stopped',
        );
        for (const e of this.entries.values()) e.session.setActive(active);
      },
    });
    this.subscriptions.push(
      this.changed,
      this.targetsChanged,
      this.dockerEvent,
      vscode.workspace.onDidChangeConfiguration((ev) => {
        if (ev.affectsConfiguration(`${SECTION}.refreshInterval`)) {
          const ms = refreshIntervalMs(vscode.workspace.getConfiguration(SECTION).get<unknown>('refreshInterval'));
          if (ms !== this.poller.interval) this.log.info(`refresh interval is now ${ms / 1000} s`);
          this.poller.setInterval(ms);
        }
        if (ev.affectsConfiguration(`${SECTION}.targets`) || ev.affectsConfiguration(`${SECTION}.showLocalTarget`))
          this.reloadTargets();
      }),
    );
    void this.setContext(CONTEXT_PAUSED, false);
    this.reloadTargets();
  }

  get paused(): boolean {
    return this.poller.paused;
  }

  targets(): TargetState[] {
    return this.order.map((id) => this.stateOf(this.entries.get(id)!));
  }

  target(id: string): TargetState | undefined {
    const e = this.entries.get(id);
    return e ? this.stateOf(e) : undefined;
  }

  /** The definitions as configured (for commands that add or remove targets). */
  definitions(): TargetDefinition[] {
    return this.order.map((id) => this.entries.get(id)!.config);
  }

  /** `demand`: what the holder shows of a target (everything by default); each refresh reads the union. */
  leaseVisibility(holder: string, demand: (targetId: string) => Demand = () => FULL_DEMAND): vscode.Disposable {
    const lease = this.poller.lease(holder);
    const key = Symbol(holder);
    this.demands.set(key, demand);
    // A panel shows sockets and open files: read them now rather than as of the slow cadence.
    if (holder.startsWith('panel:')) void this.refresh(undefined, { fresh: true });
    return new vscode.Disposable(() => {
      lease.dispose();
      this.demands.delete(key);
    });
  }

  leaseBackground(holder: string, demand: (targetId: string) => Demand, intervalMs: number): vscode.Disposable {
    this.poller.setBackgroundInterval(intervalMs);
    const lease = this.poller.lease(holder, { background: true });
    const key = Symbol(holder);
    this.demands.set(key, demand);
    return new vscode.Disposable(() => {
      lease.dispose();
      this.demands.delete(key);
    });
  }

  setAlertSource(source: (targetId: string) => TargetState['alerts']): void {
    this.alertSource = source;
  }

  alertsChanged(targetId: string): void {
    const e = this.entries.get(targetId);
    if (e && !this.disposed) this.changed.fire(this.stateOf(e));
  }

  private demandFor(targetId: string): Demand {
    return mergeDemands([...this.demands.values()].map((d) => d(targetId)));
  }

  /** Every target's state again (pausing or resuming changes each one's status). */
  private fireAll(): void {
    for (const id of this.order) {
      const e = this.entries.get(id);
      if (e) this.changed.fire(this.stateOf(e));
    }
  }

  pause(): void {
    if (this.poller.paused) return;
    this.poller.pause();
    void this.setContext(CONTEXT_PAUSED, true);
    this.fireAll();
  }

  resume(): void {
    if (!this.poller.paused) return;
    this.poller.resume();
    void this.setContext(CONTEXT_PAUSED, false);
    this.fireAll();
  }

  /** `fresh`: read sockets and open files now (someone started looking at them). */
  async refresh(targetId?: string, options: { fresh?: boolean } = {}): Promise<void> {
    const entries =
      targetId === undefined ? [...this.entries.values()] : [this.entries.get(targetId)].filter((e): e is Entry => !!e);
    await Promise.all(entries.map((e) => e.session.refresh(options)));
  }

  async reconnect(targetId: string): Promise<void> {
    const e = this.entries.get(targetId);
    if (!e) return;
    e.announced = null;
    await e.session.reconnect();
  }

  /** Reads the settings again: new targets get a session, removed ones are closed, edited ones reopened. */
  reloadTargets(): void {
    if (this.disposed) return;
    const { targets, problems } = readTargets();
    this.reportProblems(problems);
    let changed = false;
    const next = new Map<string, Entry>();
    for (const def of targets) {
      const old = this.entries.get(def.id);
      if (old && sameTarget(old.config, def)) {
        next.set(def.id, old);
        continue;
      }
      if (old) void old.session.close();
      next.set(def.id, this.createEntry(def));
      changed = true;
    }
    for (const [id, old] of this.entries) {
      if (!next.has(id)) {
        this.log.info(`${old.config.name}: removed from the targets; disconnecting`);
        void old.session.close();
        changed = true;
      }
    }
    const order = targets.map((t) => t.id);
    if (order.join('\n') !== this.order.join('\n')) changed = true;
    this.entries.clear();
    for (const [id, e] of next) this.entries.set(id, e);
    this.order = order;
    this.updateContext();
    if (!changed) return;
    this.targetsChanged.fire();
    if (this.poller.active) {
      for (const e of this.entries.values()) {
        e.session.setActive(true);
        e.session.tick();
      }
    }
  }

  dispose(): void {
    void this.shutdown();
  }

  /** Stops polling and closes every connection; resolves when they are closed (deactivate waits for it). */
  shutdown(): Promise<void> {
    if (this.disposed) return this.closing;
    this.disposed = true;
    this.poller.dispose();
    const sessions = [...this.entries.values()].map((e) => e.session);
    this.entries.clear();
    for (const d of this.subscriptions) d.dispose();
    this.closing = Promise.all(sessions.map((s) => s.close())).then(() => undefined);
    return this.closing;
  }

  private createEntry(def: TargetDefinition): Entry {
    const entry: Entry = { config: def, announced: null, session: undefined as unknown as TargetSession };
    entry.session = new TargetSession({
      label: def.name,
      open: () => this.open(def),
      onChange: () => this.sessionChanged(entry),
      demand: () => this.demandFor(def.id),
      refreshTimeoutMs: () => refreshDeadlineMs(this.poller.interval),
      log: (line, level) => (level === 'warn' ? this.log.warn(line) : this.log.info(line)),
      createSource: (transport, log) => this.sourceFor(transport, log),
      onDockerEvent: (event) => {
        if (this.entries.get(def.id) === entry) this.dockerEvent.fire({ targetId: def.id, event });
      },
    });
    this.log.info(
      def.kind === 'local'
        ? 'target Local: this machine'
        : `target ${def.name}: ${targetAddress(def)}${def.jump ? ` via ${def.jump}` : ''}`,
    );
    return entry;
  }

  /**
   * This machine's reads, parsing and garbage collection run on a worker thread, so that at 200 containers they
   * never hold the extension host (which every extension shares); an SSH target's reads run on the target.
   */
  private sourceFor(transport: Transport, log: (line: string) => void): SnapshotSource {
    if (transport.kind !== 'local') return new Collector(transport, { log });
    log('local: collecting on a worker thread');
    // The worker opens its own LocalTransport; this one holds nothing (no fd, no socket) and is not used again.
    return new ThreadedCollector(this.collectorThreadFile, {}, log);
  }

  private async open(def: TargetDefinition): Promise<Transport> {
    const attempt = this.prompts.begin(def.name);
    try {
      const transport = await openTarget(def, {
        ...attempt.options,
        log: (line) => this.log.info(`${def.name}: ${line}`),
      });
      attempt.succeeded();
      return transport;
    } catch (e) {
      attempt.failed(e instanceof MonitorError ? e.code : null);
      throw e;
    }
  }

  private stateOf(e: Entry): TargetState {
    const s = e.session.state;
    let status: TargetSummary['status'];
    if (s.status === 'idle') status = s.snapshot ? 'connected' : 'connecting';
    else status = s.status;
    if (status === 'connected' && this.poller.paused) status = 'paused';
    const label =
      e.config.kind === 'local' && s.snapshot ? `${e.config.name} (${s.snapshot.host.hostname})` : e.config.name;
    return {
      config: e.config,
      summary: {
        id: e.config.id,
        label,
        status,
        error: s.error,
        collectedAt: s.snapshot?.collectedAt ?? null,
        durationMs: s.snapshot?.durationMs ?? null,
      },
      snapshot: s.snapshot,
      errorCode: s.errorCode,
      ...this.alertsOf(e.config.id),
    };
  }

  private alertsOf(targetId: string): Pick<TargetState, 'alerts'> {
    const alerts = this.alertSource(targetId);
    return alerts ? { alerts } : {};
  }

  private sessionChanged(e: Entry): void {
    if (this.disposed || this.entries.get(e.config.id) !== e) return;
    const s = e.session.state;
    // A changed host key is a possible attack: say so where it cannot be missed (the tree shows the rest).
    if (s.errorCode === 'host-key-changed' && s.error !== null && s.error !== e.announced) {
      e.announced = s.error;
      // Not modal: it can come from a background refresh, and the tree row keeps showing it.
      void vscode.window.showErrorMessage(`Docker Monitor: refused to connect to ${e.config.name}. ${s.error}`);
    }
    this.changed.fire(this.stateOf(e));
    this.updateContext();
  }

  private reportProblems(problems: string[]): void {
    const text = problems.join('\n');
    if (text === this.problems) return;
    this.problems = text;
    if (problems.length === 0) return;
    for (const p of problems) this.log.warn(p);
    void vscode.window
      .showWarningMessage(
        `Docker Monitor: ${problems.length === 1 ? problems[0] : `${problems.length} entries of dockerMonitor.targets were skipped (see the output)`}`,
        'Open Settings',
      )
      .then((pick) => {
        if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettingsJson');
      });
  }

  private updateContext(): void {
    const states = [...this.entries.values()].map((e) => e.session.state);
    void this.setContext(CONTEXT_NO_TARGETS, states.length === 0);
    void this.setContext(
      CONTEXT_NO_READABLE_TARGET,
      states.length === 0 || states.every((s) => s.snapshot === null && s.status === 'error'),
    );
  }

  private async setContext(key: string, value: boolean): Promise<void> {
    if (this.contextValues.get(key) === value) return;
    this.contextValues.set(key, value);
    await vscode.commands.executeCommand('setContext', key, value);
  }
}
