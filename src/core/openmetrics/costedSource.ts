// What a target's monitoring costs the target, for `dm_target_cpu_seconds_total`: after each refresh over SSH, the
// CPU time (user + system, its children's included) of the remote reader that answered it, which the reader adds
// to each answer (POSIX times(); BatchResult.readerCpuSeconds), so it costs no request of its own. A new
// connection starts a new reader: the counter carries the old readers' time on, so it never goes back.
import type { Snapshot } from '../model';
import type { SampleOptions } from '../collect/demand';
import type { EngineEvent } from '../docker/engineApi';
import type { SnapshotSource } from '../targets/sessionTypes';
import type { Transport } from '../transport/types';

/** CPU seconds of all readers before the current one, per target (a feed outlives its connections). */
export class CostCounter {
  private finished = 0;
  private pid: number | null = null;
  private current = 0;
  private seen = false;

  /** The reader `pid` has used `seconds` so far. */
  record(pid: number, seconds: number): void {
    if (pid !== this.pid) {
      this.finished += this.current;
      this.pid = pid;
      this.current = 0;
    }
    this.current = Math.max(this.current, seconds);
    this.seen = true;
  }

  total(): number | null {
    return this.seen ? this.finished + this.current : null;
  }
}

export class CostedSource implements SnapshotSource {
  constructor(
    private readonly transport: Transport,
    private readonly inner: SnapshotSource,
    private readonly counter: CostCounter,
  ) {}

  async sample(options?: SampleOptions): Promise<Snapshot> {
    const s = await this.inner.sample(options);
    const pid = this.transport.readerPid;
    const seconds = this.transport.readerCpuSeconds;
    if (typeof pid === 'number' && pid > 0 && typeof seconds === 'number') this.counter.record(pid, seconds);
    return s;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  followDockerEvents(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    if (!this.inner.followDockerEvents) return Promise.reject(new Error('no event stream'));
    return this.inner.followDockerEvents(onEvent, signal);
  }
}
