// When to refresh: every interval, but only while something that shows the data holds a visibility lease and
// the user has not paused. A monitor that polls with nothing on screen loads the host for nobody. A background
// lease (the alerts, with every view hidden) keeps polling at the slower background interval instead.

export interface Lease {
  dispose(): void;
}

export interface PollerOptions {
  intervalMs: number;
  /** The interval while only background leases are held (default: the interval). */
  backgroundIntervalMs?: number;
  /** Called on each tick, and at once when polling becomes active. Must not throw; should not await. */
  onTick: () => void;
  /** Called when polling starts (true) or stops (false). */
  onActiveChange?: (active: boolean) => void;
}

export class Poller {
  private readonly leases = new Map<number, { holder: string; background: boolean }>();
  private nextLease = 1;
  private intervalMs: number;
  private backgroundMs: number;
  /** The interval the timer runs at now. */
  private runningMs = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pausedFlag = false;
  private disposed = false;

  constructor(private readonly options: PollerOptions) {
    this.intervalMs = options.intervalMs;
    this.backgroundMs = options.backgroundIntervalMs ?? options.intervalMs;
  }

  get active(): boolean {
    return !this.disposed && !this.pausedFlag && this.leases.size > 0;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** The interval now: the foreground one while a view is shown, else the background one. */
  get interval(): number {
    return [...this.leases.values()].some((l) => !l.background) ? this.intervalMs : this.backgroundMs;
  }

  /** Who holds leases now (for the log). */
  holders(): string[] {
    return [...new Set([...this.leases.values()].map((l) => l.holder))];
  }

  /** Each call is its own lease, even for the same holder; disposing twice is harmless. */
  lease(holder: string, options: { background?: boolean } = {}): Lease {
    const id = this.nextLease++;
    const wasActive = this.active;
    this.leases.set(id, { holder, background: options.background === true });
    this.update(wasActive);
    return {
      dispose: () => {
        if (!this.leases.has(id)) return;
        const before = this.active;
        this.leases.delete(id);
        this.update(before);
      },
    };
  }

  pause(): void {
    const before = this.active;
    this.pausedFlag = true;
    this.update(before);
  }

  resume(): void {
    const before = this.active;
    this.pausedFlag = false;
    this.update(before);
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    this.retime();
  }

  setBackgroundInterval(ms: number): void {
    this.backgroundMs = ms;
    this.retime();
  }

  /** Restarts the timer when the interval it should run at changed (a lease came or went, a setting changed). */
  private retime(): void {
    if (this.timer === null || this.runningMs === this.interval) return;
    clearInterval(this.timer);
    this.runningMs = this.interval;
    this.timer = setInterval(() => this.options.onTick(), this.runningMs);
  }

  dispose(): void {
    const before = this.active;
    this.disposed = true;
    this.leases.clear();
    this.update(before);
  }

  private update(wasActive: boolean): void {
    const now = this.active;
    if (now === wasActive) {
      this.retime();
      return;
    }
    if (now) {
      this.runningMs = this.interval;
      this.timer = setInterval(() => this.options.onTick(), this.runningMs);
      this.options.onActiveChange?.(true);
      this.options.onTick();
    } else {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      this.options.onActiveChange?.(false);
    }
  }
}
