// When to refresh: every interval, but only while something that shows the data holds a visibility lease and
// the user has not paused. A monitor that polls with nothing on screen loads the host for nobody.

export interface Lease {
  dispose(): void;
}

export interface PollerOptions {
  intervalMs: number;
  /** Called on each tick, and at once when polling becomes active. Must not throw; should not await. */
  onTick: () => void;
  /** Called when polling starts (true) or stops (false). */
  onActiveChange?: (active: boolean) => void;
}

export class Poller {
  private readonly leases = new Map<number, string>();
  private nextLease = 1;
  private intervalMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pausedFlag = false;
  private disposed = false;

  constructor(private readonly options: PollerOptions) {
    this.intervalMs = options.intervalMs;
  }

  get active(): boolean {
    return !this.disposed && !this.pausedFlag && this.leases.size > 0;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get interval(): number {
    return this.intervalMs;
  }

  /** Who holds leases now (for the log). */
  holders(): string[] {
    return [...new Set(this.leases.values())];
  }

  /** Each call is its own lease, even for the same holder; disposing twice is harmless. */
  lease(holder: string): Lease {
    const id = this.nextLease++;
    const wasActive = this.active;
    this.leases.set(id, holder);
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
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = setInterval(() => this.options.onTick(), this.intervalMs);
    }
  }

  dispose(): void {
    const before = this.active;
    this.disposed = true;
    this.leases.clear();
    this.update(before);
  }

  private update(wasActive: boolean): void {
    const now = this.active;
    if (now === wasActive) return;
    if (now) {
      this.timer = setInterval(() => this.options.onTick(), this.intervalMs);
      this.options.onActiveChange?.(true);
      this.options.onTick();
    } else {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      this.options.onActiveChange?.(false);
    }
  }
}
