// A target's life cycle under a fake clock: lazy connection, one collection at a time, backoff after a drop,
// hard failures left for the user, Docker events, idle close. Snapshots are the project machine's fixture; the
// connection is a stand-in whose drop the test controls (the real ones run in test/integration/targets).
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../src/core/docker/engineApi';
import type { Snapshot } from '../../../src/core/model';
import type { SampleOptions } from '../../../src/core/collect/demand';
import { TargetSession } from '../../../src/core/targets/session';
import type { EventWatcher, SessionOptions, SnapshotSource } from '../../../src/core/targets/sessionTypes';
import { MonitorError } from '../../../src/core/errors';
import type { BatchResult, ExecResult, Transport } from '../../../src/core/transport/types';
import { machineSnapshot } from '../fixtures/snapshots/machine';

/** A connection that only reports its own drop; the snapshots come from the source below. */
class DroppableTransport implements Transport {
  readonly kind = 'ssh' as const;
  closed = false;
  private listeners = new Set<(e: MonitorError | null) => void>();
  constructor(readonly label: string) {}
  onClose(l: (e: MonitorError | null) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  drop(message: string): void {
    for (const l of this.listeners) l(new MonitorError(message, 'unreachable'));
  }
  readBatch(): Promise<BatchResult> {
    throw new Error('not used: snapshots come from the source');
  }
  exec(): Promise<ExecResult> {
    throw new Error('not used');
  }
  openUnixSocket(): Promise<Duplex> {
    throw new Error('not used');
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

type Step = { snapshot?: Snapshot; error?: MonitorError; delayMs?: number };

function harness(
  opts: {
    openFailures?: MonitorError[];
    samples?: Step[];
    watch?: EventWatcher | null;
    refreshTimeoutMs?: number;
  } = {},
) {
  const openFailures = [...(opts.openFailures ?? [])];
  const samples = [...(opts.samples ?? [])];
  const transports: DroppableTransport[] = [];
  const sourcesClosed: number[] = [];
  let sampleCalls = 0;
  const sampleOptions: Array<SampleOptions | undefined> = [];
  let changes = 0;
  const log: string[] = [];
  const options: SessionOptions = {
    label: 'box',
    open: async () => {
      const f = openFailures.shift();
      if (f) throw f;
      const t = new DroppableTransport(`box#${transports.length}`);
      transports.push(t);
      return t;
    },
    onChange: () => changes++,
    log: (l) => log.push(l),
    createSource: (t): SnapshotSource => ({
      sample: async (o) => {
        sampleCalls++;
        sampleOptions.push(o);
        const step = samples.shift() ?? {};
        if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
        if (step.error) throw step.error;
        return step.snapshot ?? machineSnapshot();
      },
      close: async () => {
        sourcesClosed.push(transports.indexOf(t as DroppableTransport));
        await t.close();
      },
    }),
    watchEvents: opts.watch === undefined ? null : opts.watch,
    idleCloseMs: 60_000,
    demand: () => ({ processes: ['c1'], containerDetail: false }),
    eventDebounceMs: 100,
    eventsRetryMs: 5_000,
    refreshTimeoutMs: opts.refreshTimeoutMs === undefined ? undefined : () => opts.refreshTimeoutMs!,
  };
  const session = new TargetSession(options);
  return {
    session,
    transports,
    sourcesClosed,
    log,
    sampleOptions,
    get sampleCalls() {
      return sampleCalls;
    },
    get changes() {
      return changes;
    },
  };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('TargetSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes what the views show, and reads the slow tier at once only when someone starts looking', async () => {
    const h = harness();
    h.session.setActive(true);
    h.session.tick();
    await flush();
    await h.session.refresh({ fresh: true });
    await h.session.refresh();
    expect(h.sampleOptions.map((o) => o?.full)).toEqual([false, true, false]);
    expect(h.sampleOptions[0]?.demand).toEqual({ processes: ['c1'], containerDetail: false });
  });

  it('connects only when first asked, then collects', async () => {
    const h = harness();
    expect(h.session.state.status).toBe('idle');
    expect(h.transports).toHaveLength(0);
    h.session.setActive(true);
    h.session.tick();
    expect(h.session.state.status).toBe('connecting');
    await flush();
    expect(h.transports).toHaveLength(1);
    expect(h.session.state).toMatchObject({ status: 'connected', error: null, errorCode: null });
    expect(h.session.state.snapshot?.host.hostname).toBe('vm');
    expect(h.changes).toBeGreaterThanOrEqual(2);
    expect(h.log.some((l) => l.startsWith('box: connected to box#0'))).toBe(true);
  });

  it('skips a tick while a collection runs, so one target never has two at once', async () => {
    const h = harness({ samples: [{ delayMs: 5000 }] });
    h.session.setActive(true);
    h.session.tick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.busy).toBe(true);
    h.session.tick();
    h.session.tick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sampleCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.session.busy).toBe(false);
    h.session.tick();
    await flush();
    expect(h.sampleCalls).toBe(2);
  });

  it('an explicit refresh during a collection runs exactly one more after it, and resolves then', async () => {
    const h = harness({ samples: [{ delayMs: 1000 }, { delayMs: 1000 }] });
    h.session.setActive(true);
    h.session.tick();
    await flush();
    let done = 0;
    void h.session.refresh().then(() => done++);
    void h.session.refresh().then(() => done++);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sampleCalls).toBe(2);
    expect(done).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(2);
    expect(h.sampleCalls).toBe(2);
  });

  it('retries an unreachable host on 1, 2, 4 s of backoff, and not on ticks in between', async () => {
    const down = () => new MonitorError('cannot reach root@box:22: connection refused', 'unreachable');
    const h = harness({ openFailures: [down(), down(), down()] });
    h.session.setActive(true);
    h.session.tick();
    await flush();
    expect(h.session.state).toMatchObject({
      status: 'error',
      errorCode: 'unreachable',
      error: 'cannot reach root@box:22: connection refused',
    });
    expect(h.session.state.retryAt).toBe(Date.now() + 1000);
    h.session.tick(); // waiting for the retry: no attempt
    await vi.advanceTimersByTimeAsync(999);
    expect(h.transports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // 2nd failure
    expect(h.session.state.retryAt).toBe(Date.now() + 2000);
    await vi.advanceTimersByTimeAsync(2000); // 3rd failure
    expect(h.session.state.retryAt).toBe(Date.now() + 4000);
    await vi.advanceTimersByTimeAsync(4000); // 4th attempt works
    expect(h.session.state).toMatchObject({ status: 'connected', retryAt: null, error: null });
    expect(h.log.filter((l) => l.includes('trying again in'))).toEqual([
      'box: trying again in 1 s',
      'box: trying again in 2 s',
      'box: trying again in 4 s',
    ]);
  });

  it('after a drop shows reconnecting (keeping the last snapshot) and comes back on its own', async () => {
    const h = harness();
    h.session.setActive(true);
    h.session.tick();
    await flush();
    const before = h.session.state.snapshot;
    h.transports[0].drop('connection to box closed (keepalive timeout)');
    await flush();
    expect(h.sourcesClosed).toEqual([0]);
    expect(h.session.state).toMatchObject({
      status: 'reconnecting',
      errorCode: 'unreachable',
      error: 'connection to box closed (keepalive timeout)',
    });
    expect(h.session.state.snapshot).toBe(before);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.transports).toHaveLength(2);
    expect(h.session.state).toMatchObject({ status: 'connected', error: null });
    // Backoff starts over after a success.
    h.transports[1].drop('again');
    await flush();
    expect(h.session.state.retryAt).toBe(Date.now() + 1000);
  });

  it('treats a collection that fails as unreachable like a drop', async () => {
    const h = harness({ samples: [{}, { error: new MonitorError('connection to box closed', 'unreachable') }] });
    h.session.setActive(true);
    h.session.tick();
    await flush();
    h.session.tick();
    await flush();
    expect(h.session.state.status).toBe('reconnecting');
    expect(h.transports[0].closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.state.status).toBe('connected');
    expect(h.transports).toHaveLength(2);
  });

  it("ends a refresh at its deadline (three for a connection's cold first one), drops the stuck connection and reconnects with backoff", async () => {
    const h = harness({ refreshTimeoutMs: 1000, samples: [{ delayMs: 2500 }, { delayMs: 60_000 }, { delayMs: 2500 }] });
    h.session.setActive(true);
    h.session.tick();
    await vi.advanceTimersByTimeAsync(2500); // slower than one deadline, within the cold first one's three
    expect(h.session.state).toMatchObject({ status: 'connected', error: null });
    h.session.tick();
    await vi.advanceTimersByTimeAsync(999);
    expect(h.session.state.status).toBe('connected');
    for (let i = 0; i < 5; i++) h.session.tick(); // no second collection behind the stuck one
    expect(h.sampleCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.session.state).toMatchObject({
      status: 'reconnecting',
      errorCode: 'timeout',
      error: 'box did not answer within 1 s',
    });
    expect(h.transports[0].closed).toBe(true);
    expect(h.log).toContain('box: trying again in 1 s');
    await vi.advanceTimersByTimeAsync(1000 + 2500); // the backoff, then a cold first collection on the new connection
    expect(h.session.state).toMatchObject({ status: 'connected', error: null, errorCode: null });
    expect(h.transports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60_000); // the abandoned collection's late answer changes nothing
    expect(h.session.state.status).toBe('connected');
    expect(h.sampleCalls).toBe(3);
  });

  it('keeps the connection when a collection times out and recovers on the next tick', async () => {
    const h = harness({
      samples: [{}, { error: new MonitorError('reading the target on box timed out after 60000 ms', 'timeout') }],
    });
    h.session.setActive(true);
    h.session.tick();
    await flush();
    h.session.tick();
    await flush();
    expect(h.session.state).toMatchObject({ status: 'error', errorCode: 'timeout' });
    h.session.tick();
    await flush();
    expect(h.session.state).toMatchObject({ status: 'connected', error: null });
    expect(h.transports).toHaveLength(1);
  });

  it.each([
    ['auth-failed', 'authentication to root@box:22 failed; tried agent'],
    ['host-key-changed', 'HOST KEY CHANGED for box:22'],
    ['host-key-unknown', 'the host key of box:22 (ssh-ed25519 SHA256:x) was not accepted'],
  ] as const)(
    'does not retry %s by itself (it would ask again and again), only on reconnect()',
    async (code, message) => {
      const h = harness({ openFailures: [new MonitorError(message, code)] });
      h.session.setActive(true);
      h.session.tick();
      await flush();
      expect(h.session.state).toMatchObject({ status: 'error', errorCode: code, error: message, retryAt: null });
      h.session.tick();
      await h.session.refresh();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(h.transports).toHaveLength(0);
      await h.session.reconnect();
      expect(h.session.state).toMatchObject({ status: 'connected', error: null });
    },
  );

  it('reconnect() drops a working connection and opens a new one at once', async () => {
    const h = harness();
    h.session.setActive(true);
    h.session.tick();
    await flush();
    await h.session.reconnect();
    expect(h.transports).toHaveLength(2);
    expect(h.transports[0].closed).toBe(true);
    expect(h.session.state.status).toBe('connected');
  });

  it('closes the connection after the idle time with nothing on screen, and reconnects quietly', async () => {
    const h = harness();
    h.session.setActive(true);
    h.session.tick();
    await flush();
    h.session.setActive(false);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(h.transports[0].closed).toBe(false);
    h.session.setActive(true); // back before the idle time: kept
    h.session.setActive(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.transports[0].closed).toBe(true);
    expect(h.session.state.status).toBe('idle');
    expect(h.session.state.snapshot).not.toBeNull();
    h.session.setActive(true);
    h.session.tick();
    expect(h.session.state.status).toBe('connecting');
    await flush();
    expect(h.session.state.status).toBe('connected');
  });

  it('close() ends everything; later calls do nothing', async () => {
    const h = harness();
    h.session.setActive(true);
    h.session.tick();
    await flush();
    await h.session.close();
    expect(h.transports[0].closed).toBe(true);
    h.session.tick();
    await h.session.refresh();
    await h.session.reconnect();
    expect(h.transports).toHaveLength(1);
  });

  describe('Docker events', () => {
    function eventHarness(samples: Step[] = []) {
      const calls: { signal: AbortSignal; emit: (e: EngineEvent) => void; fail: (e: Error) => void }[] = [];
      const watch: EventWatcher = (_t, onEvent, signal) =>
        new Promise<void>((resolve, reject) => {
          signal.addEventListener('abort', () => resolve());
          calls.push({ signal, emit: onEvent, fail: reject });
        });
      return { h: harness({ watch, samples }), calls };
    }
    const ev = (Action: string): EngineEvent => ({
      Type: 'container',
      Action,
      Actor: {
        ID: 'c9cdafc90c8d4f301f117d422d1712fe54d59c61fc7f2163b9e412ceb56f1853',
        Attributes: { name: 'dm-limited' },
      },
      time: 0,
      timeNano: 0,
    });

    it('watches once connected with the API reachable, and refreshes once per burst of changes', async () => {
      const { h, calls } = eventHarness();
      h.session.setActive(true);
      h.session.tick();
      await flush();
      expect(calls).toHaveLength(1);
      expect(h.session.state.watchingEvents).toBe(true);
      const before = h.sampleCalls;
      for (const a of ['kill', 'die', 'stop']) calls[0].emit(ev(a));
      calls[0].emit(ev('exec_start: sh'));
      await vi.advanceTimersByTimeAsync(100);
      expect(h.sampleCalls).toBe(before + 1);
      expect(h.log).toContain('box: Docker event: container dm-limited stop');
      expect(h.log.some((l) => l.includes('exec_start'))).toBe(false);
    });

    it('stops watching when nothing is on screen, and starts again when something is', async () => {
      const { h, calls } = eventHarness();
      h.session.setActive(true);
      h.session.tick();
      await flush();
      h.session.setActive(false);
      expect(calls[0].signal.aborted).toBe(true);
      await flush();
      expect(h.session.state.watchingEvents).toBe(false);
      h.session.setActive(true);
      expect(calls).toHaveLength(2);
    });

    it('does not watch while the Docker API is unreachable', async () => {
      const unreachable = machineSnapshot();
      unreachable.docker = {
        ...unreachable.docker,
        reachable: false,
        reason: 'no Docker socket at /var/run/docker.sock',
      };
      const { h, calls } = eventHarness([{ snapshot: unreachable }]);
      h.session.setActive(true);
      h.session.tick();
      await flush();
      expect(calls).toHaveLength(0);
      h.session.tick();
      await flush();
      expect(calls).toHaveLength(1);
    });

    it('after the stream fails, waits before opening it again', async () => {
      const { h, calls } = eventHarness();
      h.session.setActive(true);
      h.session.tick();
      await flush();
      calls[0].fail(new MonitorError('the Docker event stream ended (did dockerd restart?)', 'docker-unavailable'));
      await flush();
      expect(h.session.state.watchingEvents).toBe(false);
      h.session.tick();
      await flush();
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(5000);
      h.session.tick();
      await flush();
      expect(calls).toHaveLength(2);
    });

    it("by default follows the source's own Docker events: no Docker connection of its own", async () => {
      const followers: { emit: (e: EngineEvent) => void; signal: AbortSignal }[] = [];
      let samples = 0;
      let sockets = 0;
      const session = new TargetSession({
        label: 'box',
        open: async () => {
          const t = new DroppableTransport('box#0');
          t.openUnixSocket = () => {
            sockets++;
            throw new Error('not used');
          };
          return t;
        },
        onChange: () => undefined,
        log: () => undefined,
        createSource: (t) => ({
          sample: async () => {
            samples++;
            return machineSnapshot();
          },
          close: () => t.close(),
          followDockerEvents: (emit, signal) =>
            new Promise<void>((resolve) => {
              followers.push({ emit, signal });
              signal.addEventListener('abort', () => resolve());
            }),
        }),
        eventDebounceMs: 100,
      });
      session.setActive(true);
      session.tick();
      await flush();
      expect(followers).toHaveLength(1);
      expect(session.state.watchingEvents).toBe(true);
      followers[0].emit(ev('health_status: unhealthy'));
      await vi.advanceTimersByTimeAsync(100);
      expect(samples).toBe(2);
      expect(sockets).toBe(0);
      await session.close();
      expect(followers[0].signal.aborted).toBe(true);
    });

    it('a drop ends the stream with the connection', async () => {
      const { h, calls } = eventHarness();
      h.session.setActive(true);
      h.session.tick();
      await flush();
      h.transports[0].drop('gone');
      expect(calls[0].signal.aborted).toBe(true);
    });
  });
});
