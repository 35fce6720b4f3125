// One target's refresh: one batch of file reads and one Engine API pass in parallel, assembled into a Snapshot
// (assembleSnapshot.ts). Here: the transport, the read cache and its tiers, the target's Docker connection.
import type { Snapshot } from '../model';
import type { Transport } from '../transport/types';
import { DEFAULT_DOCKER_SOCKET, DockerEngine } from '../docker/engineApi';
import type { EngineEvent } from '../docker/engineApi';
import { DockerDescriber } from '../docker/describe';
import { applyRates } from '../analyze/rates';
import { ThrottleWindow } from '../analyze/throttleWindow';
import { buildPlan, buildTieredPlan, DEFAULT_DOCKER_ROOT } from './plan';
import { ReadCache } from './readCache';
import { FULL_DEMAND, isFullDemand } from './demand';
import { dropUnshown, keepShown } from './shown';
import type { SampleOptions } from './demand';
import type { KnownProcesses } from './batchIndex';
import { assembleSnapshot, slicer, turn } from './assembleSnapshot';

export interface CollectorOptions {
  log?: (line: string) => void;
  socketPath?: string | undefined;
  /** Every how many refreshes the slow tier (socket tables, fd counts, host details) is read; default 10. */
  slowEvery?: number | undefined;
  /** false: read everything every refresh (the design before tiers; kept for the benchmark's comparison). */
  tiered?: boolean;
  /** false: list containers every refresh instead of following the Docker event stream (default true). */
  dockerEvents?: boolean;
}

const DEFAULT_SLOW_EVERY = 10;

export class Collector {
  private readonly engine: DockerEngine;
  private readonly describer: DockerDescriber;
  private previous: Snapshot | null = null;
  /** Throttling over PSI's minute, for as long as this collector's previous snapshot and caches live. */
  private readonly throttle = new ThrottleWindow();
  private dockerRoot = DEFAULT_DOCKER_ROOT;
  private readonly cache: ReadCache | null;
  /** Each running container's main PID, from the last Engine API answer. */
  private mainPids: number[] = [];

  constructor(
    readonly transport: Transport,
    private readonly options: CollectorOptions = {},
  ) {
    // The target's one Docker connection: the describer lists, inspects and follows events on this engine, and
    // followDockerEvents hands the same stream to the session (one API version negotiation per target).
    const socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.engine = new DockerEngine(() => transport.openUnixSocket(socketPath), socketPath);
    this.describer = new DockerDescriber(this.engine, { followEvents: options.dockerEvents !== false });
    this.cache = options.tiered === false ? null : new ReadCache(Math.max(1, options.slowEvery ?? DEFAULT_SLOW_EVERY));
  }

  /**
   * One snapshot; rates are filled against the previous call's snapshot (null on the first). `full` reads the
   * slow tier now (socket tables, fd counts): for a view that shows them and must not show them old. `demand`
   * is what the views show (everything by default); a refresh for less reads less.
   */
  async sample(options: SampleOptions = {}): Promise<Snapshot> {
    const started = Date.now();
    const demand = options.demand ?? FULL_DEMAND;
    const tier = this.cache?.request(options.full === true, demand, this.mainPids) ?? null;
    const plan = tier ? buildTieredPlan(this.dockerRoot, tier) : buildPlan(this.dockerRoot);
    const [batch, docker] = await Promise.all([this.transport.readBatch(plan), this.describer.describe()]);
    let known: KnownProcesses | undefined;
    if (tier && this.cache) {
      known = await this.cache.completeInTurns(batch, tier, slicer());
      // A pruning refresh read every process; assemble only those shown (the cache now knows whose they are).
      if (demand.processes !== 'all' && tier.stat === 'all')
        dropUnshown(batch, new Set(this.cache.pidsShown(demand.processes, this.mainPids)));
    }
    // The data root is known after the first API answer; the next batch measures its disk.
    if (docker.status.rootDir) this.dockerRoot = docker.status.rootDir;
    this.mainPids = docker.containers.flatMap((m) => (m.initPid !== null && m.initPid > 0 ? [m.initPid] : []));
    const durationMs = Date.now() - started;
    const slowAt = this.cache?.slowReadAt;
    const report: { netDevFromHostPeers?: boolean } = {};
    const assembled = await assembleSnapshot(
      this.transport.label,
      batch,
      docker,
      this.dockerRoot,
      durationMs,
      slowAt ? new Date(slowAt).toISOString() : null,
      known,
      report,
    );
    if (tier && this.cache && tier.netnsNetDev !== false)
      this.cache.netDevFromHostPeers = report.netDevFromHostPeers === true;
    if (tier && (!isFullDemand(demand) || !tier.containerDetail)) {
      assembled.partial = {
        processes: demand.processes === 'all' ? 'all' : [...demand.processes],
        containerDetail: tier.containerDetail,
      };
    }
    if (tier) keepShown(assembled, demand);
    await turn();
    const snapshot = this.throttle.apply(applyRates(this.previous, assembled));
    this.previous = snapshot;
    this.options.log?.(
      `${this.transport.label}: ${snapshot.containers.length} containers, ${snapshot.processes.length} processes in ${durationMs} ms (batch ${batch.durationMs} ms${tier ? (tier.slow ? ', slow tier' : isFullDemand(demand) ? '' : ', what is shown') : ', full read'})`,
    );
    return snapshot;
  }

  /**
   * Two samples at least `intervalMs` apart (start to start), so that CPU % and byte rates are real: what a
   * one-shot CLI call needs. A first sample that reads everything cold may take longer than the interval by
   * itself; the second then follows at once (rates use the time that really passed between the two reads).
   */
  async sampleWithRates(intervalMs: number, options: Pick<SampleOptions, 'full'> = {}): Promise<Snapshot> {
    if (!this.previous) {
      const started = performance.now();
      await this.sample();
      const left = intervalMs - (performance.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
    return this.sample(options);
  }

  /** The container events of the describer's own stream: one Docker connection per target (see DockerDescriber.follow). */
  followDockerEvents(onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    return this.describer.follow(onEvent, signal);
  }

  /** Engine API requests sent so far (the event subscription counts once): what refreshes cost the daemon. */
  get dockerRequests(): number {
    return this.engine.requestCount;
  }

  async close(): Promise<void> {
    this.describer.close();
    await this.transport.close();
  }
}
